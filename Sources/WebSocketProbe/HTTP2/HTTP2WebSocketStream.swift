import NIOCore
import WebSocketDiagnosis

/// The HTTP/2 stream a WebSocket runs over (`--http2`, RFC 8441), as a state machine without I/O: the
/// server's SETTINGS, the extended CONNECT, its answer, then the stream's life until it ends
/// (`END_STREAM`, `RST_STREAM`, `GOAWAY`, the connection's end).
///
/// ``HTTP2WebSocketStreamHandler`` feeds it the frames it reads and carries out the returned ``Action``;
/// it keeps what was seen, on the monotonic clock, for the transcript (``observation(since:)``).
///
/// What the open stream carries for the connection (its bytes, its ending, the connection's end) is held
/// until the connection has taken the answer (``Event/released``), then passed on in the order it was read
/// (``Delivery``): a 2xx, a close frame and the end can come in one read, before the connection knows the
/// stream opened, and the close frame must still reach the frame parser before the end.
///
/// The close provenance is the first ending read: `END_STREAM` (the stream's FIN: nothing more can come),
/// `RST_STREAM`, `GOAWAY`. Endings read after it (a server that ends its side and then resets the stream,
/// `RST_STREAM NO_ERROR` after `END_STREAM`, RFC 9113 §8.1, as Node's `close()` does) are recorded in order
/// (``HTTP2Observation/streamEnds``, ``detail``) without changing it: the first one is what ended what the
/// WebSocket could read; what follows only closes our side.
struct HTTP2WebSocketStream: Sendable {
    /// Where the stream is.
    enum Phase: Sendable, Equatable {
        /// ALPN selected `h2`; the server's first SETTINGS frame has not come.
        case awaitingSettings
        /// The extended CONNECT was sent; its answer has not come.
        case awaitingAnswer
        /// Answered 2xx: the stream carries the WebSocket's frames.
        case open
        /// The stream is over (refused, reset, ended, or its connection went away).
        case ended
    }

    /// Something that happened on the connection.
    enum Event: Sendable, Equatable {
        /// The server's SETTINGS frame (not an ACK).
        case settings([HTTP2Observation.Setting], at: ContinuousClock.Instant)
        /// The extended CONNECT went out.
        case connectWritten(at: ContinuousClock.Instant)
        /// A HEADERS frame on the stream: `:status` (when numeric) and the other fields.
        case answer(status: Int?, headers: [HeaderField], endStream: Bool, at: ContinuousClock.Instant)
        /// A DATA frame on the stream (its data) ; `endStream` when it carries `END_STREAM`.
        case data(ByteBuffer, endStream: Bool, at: ContinuousClock.Instant)
        /// `RST_STREAM` on the stream, with the error code's name.
        case reset(String, at: ContinuousClock.Instant)
        /// `GOAWAY`, with the error code's name and the last stream id the server will process.
        case goAway(String, lastStreamID: Int, at: ContinuousClock.Instant)
        /// The TCP connection ended (or failed) under the stream.
        case connectionEnded(at: ContinuousClock.Instant)
        /// The connection took the opening (or closes the channel without it): what was held passes on, and
        /// everything after it passes at once.
        case released
    }

    /// What passes on to the connection's handlers, in order.
    enum Delivery: Sendable, Equatable {
        /// Data of the open stream (WebSocket frames), and when it was read.
        case bytes(ByteBuffer, at: ContinuousClock.Instant)
        /// How the open stream ended (an error down the channel: the connection's transport end).
        case ending(HTTP2StreamEnding)
        /// The TCP connection's end (`channelInactive`), and when it was read.
        case inactive(at: ContinuousClock.Instant)
    }

    /// What the handler must do.
    enum Action: Sendable, Equatable {
        case none
        /// Send the extended CONNECT (HEADERS without END_STREAM) on the stream.
        case sendConnect
        /// Tell the connection how the opening went (the answer, or why there is none).
        case opening(HTTP2StreamOpening)
        /// Pass these on to the connection's handlers, in this order.
        case forward([Delivery])
    }

    /// The stream the extended CONNECT opens.
    static let streamID = HTTP2ExtendedConnectRules.streamID

    private(set) var phase: Phase = .awaitingSettings
    private(set) var settings: [HTTP2Observation.Setting]?
    private(set) var settingsAt: ContinuousClock.Instant?
    private(set) var connectWrittenAt: ContinuousClock.Instant?
    private(set) var status: Int?
    private(set) var headers: [HeaderField]?
    private(set) var answerAt: ContinuousClock.Instant?
    private(set) var resetCode: String?
    private(set) var goAwayCode: String?
    private(set) var endedAt: ContinuousClock.Instant?
    private(set) var detail = "no SETTINGS frame yet"
    /// Whether our side ended the stream (`END_STREAM` after our close frame).
    var localEndStream = false
    /// What ended the stream or its connection, in the order read (the first is the provenance).
    private(set) var streamEnds: [(frame: String, code: String?, at: ContinuousClock.Instant)] = []
    /// Whether the stream was answered 2xx (what it carries is held until ``released``).
    private var opened = false
    /// Whether the connection took the opening.
    private(set) var released = false
    /// What waits for ``released``, in order.
    private var held: [Delivery] = []

    /// Whether the server advertised `SETTINGS_ENABLE_CONNECT_PROTOCOL = 1`.
    var extendedConnect: Bool {
        settings.map(HTTP2ExtendedConnectRules.advertises) ?? false
    }

    /// Takes one event and says what to do.
    mutating func event(_ event: Event) -> Action {
        switch event {
        case .released:
            released = true
            defer { held = [] }
            return held.isEmpty ? .none : .forward(held)
        case .connectionEnded(let at):
            // The connection's end always passes on, after the stream's ending (held with it when the stream opened).
            // Before the answer the handler hands the opening this end itself: only the state changes here.
            var ending = Action.none
            if phase != .ended, case .forward(let items) = finish(self.ending(nil, nil, at: at, "the connection ended"), at: at) {
                ending = .forward(items)
            }
            return combine(ending, deliver([.inactive(at: at)]))
        case .reset(let code, let at) where phase == .ended:
            return endedAgain("RST_STREAM", code, at: at)
        case .goAway(let code, let lastStreamID, let at) where phase == .ended:
            // A graceful GOAWAY that covers the stream ends nothing (as while open): not recorded as an ending.
            if HTTP2ExtendedConnectRules.letsTheStreamRun(goAwayCode: code, lastStreamID: lastStreamID) { return .none }
            return endedAgain("GOAWAY", code, at: at)
        default:
            break
        }
        guard phase != .ended else { return .none }
        switch event {
        case .settings(let received, let at):
            guard phase == .awaitingSettings else { return .none }  // later SETTINGS change nothing here
            settings = received
            settingsAt = at
            guard extendedConnect else {
                return end(
                    at: at, "HTTP/2 without SETTINGS_ENABLE_CONNECT_PROTOCOL = 1: no extended CONNECT may be sent",
                    opening: .notAdvertised)
            }
            phase = .awaitingAnswer
            detail = "extended CONNECT sent, no answer yet"
            return .sendConnect

        case .connectWritten(let at):
            if connectWrittenAt == nil { connectWrittenAt = at }
            return .none

        case .answer(let status, let headers, let endStream, let at):
            guard phase == .awaitingAnswer else {
                // Trailers end the stream like END_STREAM on DATA.
                return endStream && phase == .open ? streamEnded(at: at) : .none
            }
            let judged = HTTP2ExtendedConnectRules.answer(status: status, endStream: endStream)
            if judged == .interim { return .none }
            self.status = status
            self.headers = headers
            answerAt = at
            let answer = HTTP2StreamOpening.answered(status: status, headers: headers, endStream: endStream, at: at)
            if case .refuses(let words) = judged {
                return end(at: at, "the extended CONNECT was answered \(words)", opening: answer)
            }
            phase = .open
            opened = true
            detail = "the extended CONNECT was answered \(status ?? 0): the stream carries the WebSocket"
            return .opening(answer)

        case .data(let buffer, let endStream, let at):
            let bytes: Action = phase == .open && buffer.readableBytes > 0 ? deliver([.bytes(buffer, at: at)]) : .none
            guard endStream else { return bytes }
            streamEnds.append(("END_STREAM", nil, at))
            if phase == .awaitingAnswer {
                return end(
                    at: at, "the server ended the stream before answering the extended CONNECT",
                    opening: .ended(ending(.http2EndStream, nil, at: at)))
            }
            return combine(bytes, streamEnded(at: at))

        case .reset(let code, let at):
            resetCode = code
            streamEnds.append(("RST_STREAM", code, at))
            let ending = self.ending(.http2Reset, .http2StreamReset, at: at, "RST_STREAM \(code)")
            return finish(ending, at: at)

        case .goAway(let code, let lastStreamID, let at):
            goAwayCode = code
            // A graceful GOAWAY that still covers our stream lets the stream finish: keep going.
            if HTTP2ExtendedConnectRules.letsTheStreamRun(goAwayCode: code, lastStreamID: lastStreamID) && phase != .awaitingSettings {
                return .none
            }
            streamEnds.append(("GOAWAY", code, at))
            let ending = self.ending(.http2GoAway, .http2GoAway, at: at, "GOAWAY \(code) (last stream \(lastStreamID))")
            return finish(ending, at: at)

        case .connectionEnded, .released:
            return .none  // handled above
        }
    }

    /// What was seen, as the transcript's ``HTTP2Observation`` (times in ms since `start`).
    func observation(since start: ContinuousClock.Instant) -> HTTP2Observation {
        let ms = { (instant: ContinuousClock.Instant?) in instant.map { max(0, ($0 - start).milliseconds) } }
        // Works once the answer opened the stream (a 2xx without END_STREAM: a 200 that ends it opened nothing).
        let outcome: HTTP2Observation.Outcome
        if settings == nil {
            outcome = .unchecked
        } else if !extendedConnect {
            outcome = .noExtendedConnect
        } else if opened {
            outcome = .works
        } else {
            outcome = phase == .awaitingAnswer ? .unchecked : .fails
        }
        return HTTP2Observation(
            outcome: outcome, alpn: "h2", settings: settings, extendedConnect: extendedConnect, status: status, headers: headers,
            subprotocol: headers?.first(named: "sec-websocket-protocol"), resetCode: resetCode, goAwayCode: goAwayCode,
            failedAtMs: outcome == .fails ? ms(endedAt ?? answerAt) : nil, settingsAtMs: ms(settingsAt), answerAtMs: ms(answerAt),
            streamEnds: streamEnds.isEmpty ? nil : streamEnds.map { .init(frame: $0.frame, code: $0.code, atMs: ms($0.at) ?? 0) },
            durationMs: ms(endedAt), detail: detail)
    }

    // MARK: - Endings

    private mutating func streamEnded(at: ContinuousClock.Instant) -> Action {
        finish(ending(.http2EndStream, nil, at: at, "the server ended the stream (END_STREAM)"), at: at)
    }

    /// Before the answer an ending is the opening's outcome; once open it is the stream's end.
    private mutating func finish(_ ending: HTTP2StreamEnding, at: ContinuousClock.Instant) -> Action {
        let wasOpen = phase == .open
        let stage =
            phase == .awaitingSettings
            ? " before any SETTINGS frame" : wasOpen ? " after the stream opened" : " before the extended CONNECT was answered"
        _ = end(at: at, ending.detail + stage, opening: nil)
        return wasOpen ? deliver([.ending(ending)]) : .opening(.ended(ending))
    }

    /// A second ending after the first (`RST_STREAM` after `END_STREAM`, `GOAWAY` after a reset): recorded in
    /// order, the provenance stays the first, and so does a code already recorded (``resetCode``, ``goAwayCode``).
    private mutating func endedAgain(_ frame: String, _ code: String, at: ContinuousClock.Instant) -> Action {
        if frame == "RST_STREAM" { resetCode = resetCode ?? code } else { goAwayCode = goAwayCode ?? code }
        streamEnds.append((frame, code, at))
        let after = endedAt.map { " \(Int((at - $0).milliseconds.rounded())) ms later" } ?? ""
        detail += "; then \(frame) \(code)\(after)"
        return .none
    }

    /// Passes `items` on now when the connection took the opening or nothing opened; holds them otherwise.
    private mutating func deliver(_ items: [Delivery]) -> Action {
        guard opened, !released else { return .forward(items) }
        held += items
        return .none
    }

    /// Both actions' deliveries in order (only ``Action/forward(_:)`` and ``Action/none`` come here together).
    private func combine(_ first: Action, _ second: Action) -> Action {
        switch (first, second) {
        case (.none, _): return second
        case (_, .none): return first
        case (.forward(let a), .forward(let b)): return .forward(a + b)
        default: return second
        }
    }

    private func ending(_ end: TransportEnd?, _ kind: ProbeFailureKind?, at: ContinuousClock.Instant, _ what: String = "")
        -> HTTP2StreamEnding
    {
        HTTP2StreamEnding(end: end, kind: kind, detail: what, at: at)
    }

    private mutating func end(at: ContinuousClock.Instant, _ detail: String, opening: HTTP2StreamOpening?) -> Action {
        phase = .ended
        endedAt = at
        self.detail = detail
        return opening.map { .opening($0) } ?? .none
    }
}
