import WebSocketDiagnosis
import WebSocketWire

/// The RFC 8441 exchange on one HTTP/2 connection, as a state machine without I/O: the server's SETTINGS,
/// the extended CONNECT (`:method CONNECT`, `:protocol websocket`), its answer, one WebSocket ping over the
/// stream and its pong, then the profile's first message (``HTTP2CheckMessage``), when there is one, and
/// its answer.
///
/// ``HTTP2CheckHandler`` feeds it the frames it reads and carries out the returned ``Action``; the driver
/// (``HTTP2WebSocketCheck``) feeds it the end of a bound (``Event/timedOut(_:at:)``). Every outcome is
/// recorded as an ``HTTP2Observation`` (``observation``).
struct HTTP2ExtendedConnectExchange: Sendable {
    /// The largest answer to the profile's first message gathered from its fragments (16 MiB).
    static let maxReplyBytes = 16 << 20

    /// Where the exchange is.
    enum Phase: Sendable, Equatable {
        /// HTTP/2 negotiated; the server's first SETTINGS frame has not come.
        case awaitingSettings
        /// The extended CONNECT was sent; its answer has not come.
        case awaitingAnswer
        /// Answered 200; our ping went out over the stream, its pong has not come.
        case awaitingPong
        /// The pong came; the profile's first message went out, its answer has not come.
        case awaitingReply
        /// Decided: see ``observation``.
        case done
    }

    /// Something that happened on the connection (times are ms since the start of the check).
    enum Event: Sendable, Equatable {
        /// The server's SETTINGS frame (not an ACK).
        case settings([HTTP2Observation.Setting], at: Double)
        /// A HEADERS frame on the CONNECT stream: `:status` (when present and numeric) and the other fields.
        case answer(status: Int?, headers: [HeaderField], endStream: Bool, at: Double)
        /// Bytes of a DATA frame on the CONNECT stream.
        case data([UInt8], endStream: Bool, at: Double)
        /// `RST_STREAM` on the CONNECT stream, with the error code's name.
        case reset(String, at: Double)
        /// `GOAWAY` from the server, with the error code's name and the last stream id it will process.
        case goAway(String, lastStreamID: Int, at: Double)
        /// The connection ended (TCP end or a connection error), with what is known about why.
        case ended(String, at: Double)
        /// A bound of the current phase passed (its name: "the SETTINGS frame", "the answer", "the pong", "the reply").
        case timedOut(String, at: Double)
    }

    /// What the handler must do.
    enum Action: Sendable, Equatable {
        case none
        /// Send the extended CONNECT on a new stream.
        case sendConnect
        /// Send this WebSocket ping payload, as a masked frame in a DATA frame on the stream.
        case sendPing([UInt8])
        /// Send this text (the profile's first message), as a masked text frame in a DATA frame on the stream.
        case sendText(String)
        /// The exchange is decided: end the stream (a close frame when it opened) and the connection.
        case finish(closeStream: Bool)
    }

    private(set) var phase: Phase = .awaitingSettings
    /// What was found; ``HTTP2Observation/outcome`` is `.unchecked` until the exchange is decided.
    private(set) var observation: HTTP2Observation
    /// The WebSocket ping payload sent over the stream.
    let pingPayload: [UInt8]
    /// The profile's first message, sent once the pong came (`nil`: the exchange ends with the pong).
    let message: HTTP2CheckMessage?
    private var pingSentAtMs: Double?
    private var messageSentAtMs: Double?
    private var parser = FrameParser(maxFrameBytes: 1 << 20)
    /// The data message being reassembled from fragments (its first frame's opcode and the payload so far).
    private var fragments: (opcode: FrameOpcode, payload: [UInt8])?

    /// An exchange on a connection whose ALPN selected `h2`; `pingPayload` is the payload of the ping sent
    /// once the CONNECT is answered 200 (default `ws1011-h2`); `message` is sent once the pong came (default
    /// none).
    init(pingPayload: [UInt8] = Array("ws1011-h2".utf8), message: HTTP2CheckMessage? = nil) {
        self.pingPayload = pingPayload
        self.message = message
        observation = HTTP2Observation(outcome: .unchecked, alpn: "h2", detail: "no SETTINGS frame yet")
    }

    /// Records the ping as written at `at` (ms since the start).
    mutating func pingWritten(at: Double) {
        if pingSentAtMs == nil { pingSentAtMs = at }
    }

    /// Records the profile's first message as written at `at` (ms since the start).
    mutating func messageWritten(at: Double) {
        if messageSentAtMs == nil { messageSentAtMs = at }
    }

    /// Takes one event and says what to do.
    mutating func event(_ event: Event) -> Action {
        guard phase != .done else { return .none }
        switch event {
        case .settings(let settings, let at):
            guard phase == .awaitingSettings else { return .none }  // later SETTINGS change nothing here
            observation.settings = settings
            observation.settingsAtMs = at
            let advertised = HTTP2ExtendedConnectRules.advertises(settings)
            observation.extendedConnect = advertised
            guard advertised else {
                return decide(
                    .noExtendedConnect, at: nil,
                    "HTTP/2 without SETTINGS_ENABLE_CONNECT_PROTOCOL: browsers open WebSockets over HTTP/1.1 here")
            }
            phase = .awaitingAnswer
            return .sendConnect

        case .answer(let status, let headers, let endStream, let at):
            guard phase == .awaitingAnswer else { return .none }  // trailers or a second block: nothing to learn
            let answer = HTTP2ExtendedConnectRules.answer(status: status, endStream: endStream)
            if answer == .interim { return .none }
            observation.status = status
            observation.headers = headers
            observation.answerAtMs = at
            observation.subprotocol = headers.first(named: "sec-websocket-protocol")
            if case .refuses(let words) = answer {
                return decide(.fails, at: at, "the extended CONNECT was answered \(words) at \(Self.ms(at))")
            }
            phase = .awaitingPong
            return .sendPing(pingPayload)

        case .data(_, let endStream, let at) where phase == .awaitingAnswer:
            guard endStream else { return .none }
            return decide(
                .fails, at: at, "the server ended the stream (END_STREAM) at \(Self.ms(at)) before answering the extended CONNECT")

        case .data(let bytes, let endStream, let at):
            guard phase == .awaitingPong || phase == .awaitingReply else { return .none }
            parser.append(bytes)
            while let next = parser.next() {
                switch next {
                case .frame(let frame) where frame.opcode == .pong && frame.payload == pingPayload && phase == .awaitingPong:
                    observation.pingRttMs = pingSentAtMs.map { max(at - $0, 0) }
                    guard let message else {
                        return decide(
                            .works, at: nil,
                            "extended CONNECT answered 200 at \(Self.ms(observation.answerAtMs ?? at)); a ping over the stream was answered"
                        )
                    }
                    // What came before the pong is not the answer to a message not yet sent.
                    fragments = nil
                    phase = .awaitingReply
                    observation.messageSent = message.name
                    observation.messageAnswered = false
                    return .sendText(message.text)
                case .frame(let frame) where frame.opcode == .close:
                    let code = ClosePayload.peekCode(frame.payload).map { "\($0.rawValue)" } ?? "no status"
                    return decide(
                        .fails, at: at,
                        "the stream opened (200) but the server closed the WebSocket (\(code)) at \(Self.ms(at)) \(waitingFor)")
                case .violation(let violation):
                    return decide(.fails, at: at, "the stream opened (200) but carried no valid WebSocket frame: \(violation.detail)")
                case .frame(let frame) where phase == .awaitingReply && frame.opcode.isData:
                    // An answer that never ends is not gathered past a bound.
                    guard (frame.opcode == .continuation ? fragments?.payload.count ?? 0 : 0) + frame.payload.count <= Self.maxReplyBytes
                    else {
                        return decide(
                            .fails, at: at, "the answer to the profile's first message grew past \(Self.maxReplyBytes) bytes without ending"
                        )
                    }
                    guard let (opcode, payload) = reassemble(frame) else { continue }
                    guard let message else { continue }
                    switch message.reply(to: opcode == .binary ? nil : String(decoding: payload, as: UTF8.self)) {
                    case .answer(let type):
                        observation.messageAnswered = true
                        observation.messageRttMs = messageSentAtMs.map { max(at - $0, 0) }
                        let answer = type.map { " (\($0))" } ?? ""
                        return decide(
                            .works, at: nil,
                            "extended CONNECT answered 200 at \(Self.ms(observation.answerAtMs ?? at)); a ping over the stream was answered; the profile's first message (\(message.name)) was answered\(answer) after \(Self.ms(observation.messageRttMs ?? 0))"
                        )
                    case .error(let type):
                        return decide(
                            .fails, at: at,
                            "the stream opened (200) and the ping was answered, but the application answered the profile's first message (\(message.name)) with \(type) at \(Self.ms(at))"
                        )
                    case .other:
                        continue
                    }
                case .frame:
                    continue  // a welcome message, the server's own ping: wait for the pong or the answer
                }
            }
            if endStream {
                return decide(
                    .fails, at: at, "the stream opened (200) but the server ended it (END_STREAM) at \(Self.ms(at)) \(waitingFor)")
            }
            return .none

        case .reset(let code, let at):
            observation.resetCode = code
            let when = phase == .awaitingAnswer ? "in answer to the extended CONNECT" : stage
            return decide(.fails, at: at, "RST_STREAM \(code) at \(Self.ms(at)) \(when)")

        case .goAway(let code, let lastStreamID, let at):
            observation.goAwayCode = code
            guard phase != .awaitingSettings else {
                return decide(.unchecked, at: at, "GOAWAY \(code) at \(Self.ms(at)) before any SETTINGS frame")
            }
            // A graceful GOAWAY that still covers our stream (1) lets the stream finish: keep waiting.
            if HTTP2ExtendedConnectRules.letsTheStreamRun(goAwayCode: code, lastStreamID: lastStreamID) { return .none }
            return decide(.fails, at: at, "GOAWAY \(code) (last stream \(lastStreamID)) at \(Self.ms(at)) \(stage)")

        case .ended(let why, let at):
            if phase == .awaitingSettings {
                return decide(.unchecked, at: at, "the connection ended at \(Self.ms(at)) before any SETTINGS frame (\(why))")
            }
            return decide(.fails, at: at, "the connection ended at \(Self.ms(at)) \(stage) (\(why))")

        case .timedOut(let what, let at):
            if phase == .awaitingSettings {
                return decide(.unchecked, at: at, "no SETTINGS frame within the bound (\(what)) although ALPN selected h2")
            }
            let missing =
                switch phase {
                case .awaitingAnswer: "answer to the extended CONNECT"
                case .awaitingPong: "pong over the stream"
                default: "answer to the profile's first message (\(message?.name ?? "-")) after the stream opened and the ping was answered"
                }
            return decide(.fails, at: at, "no \(missing) within \(what)")
        }
    }

    private var stage: String {
        switch phase {
        case .awaitingPong: "after the 200, before the pong"
        case .awaitingReply: "after the 200 and the pong, before the answer to the profile's first message"
        default: "before the extended CONNECT was answered"
        }
    }

    /// What the open stream was waiting for, for a detail.
    private var waitingFor: String {
        phase == .awaitingReply ? "before answering the profile's first message (\(message?.name ?? "-"))" : "before answering the ping"
    }

    /// Adds a data frame to the message being reassembled; the whole message once its last frame came.
    private mutating func reassemble(_ frame: WebSocketFrame) -> (FrameOpcode, [UInt8])? {
        var current = frame.opcode == .continuation ? fragments : (opcode: frame.opcode, payload: [UInt8]())
        guard current != nil else { return nil }  // a continuation of nothing: not a message
        current!.payload += frame.payload
        guard frame.fin else {
            fragments = current
            return nil
        }
        fragments = nil
        return (current!.opcode, current!.payload)
    }

    private mutating func decide(_ outcome: HTTP2Observation.Outcome, at: Double?, _ detail: String) -> Action {
        let opened = phase == .awaitingPong || phase == .awaitingReply
        observation.outcome = outcome
        observation.failedAtMs = outcome == .fails ? at : nil
        observation.detail = detail
        phase = .done
        return .finish(closeStream: opened)
    }

    static func ms(_ value: Double) -> String { "\(Int(value.rounded())) ms" }
}
