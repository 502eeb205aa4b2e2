import NIOCore
import NIOWebSocket
import WebSocketWire

/// The decisions of one reference-backend WebSocket connection, apart from its channel and timers.
///
/// ``LabWebSocketHandler`` feeds it each frame, the caller's or a fault's close, the keepalive's ticks and
/// the end of the channel, and performs the ``Action`` it returns. The machine checks frames (RFC 6455
/// §5.2 reserved bits, §5.1 masking, opcodes), reassembles messages within the size limit, decodes them
/// (UTF-8, a JSON object with a `type`), counts them for the fault triggers and picks the ``Route``; it
/// runs the close handshake and the keepalive's ping bookkeeping. It never touches a socket or a clock,
/// so its tests drive every transition directly. Agent runs and streams stay in the handler: they are
/// what a routed message makes it do.
///
/// Modelled on swift-nio's `NIOTypedHTTPServerUpgraderStateMachine`, as the proxy's
/// `ProxyConnectionStateMachine` and the probe's `WebSocketConnectionStateMachine` are.
struct LabConnectionStateMachine {
    /// Where the connection is.
    enum Phase: Equatable {
        /// Messages flow.
        case open
        /// A close frame went out (ours, or our answer to the peer's); nothing but the close is handled.
        case closing
        /// The channel is gone.
        case closed
    }

    /// What a complete JSON message asks of the backend, by its `type`.
    enum Route: Equatable {
        /// `ping`: answered with `pong`.
        case ping
        /// `user_message`, `start_agent`, `execute_agent`: an agent run.
        case agentRun
        /// `stream_request`: a stream of partial results.
        case stream
        /// `refresh_token`: the connection's token is replaced.
        case refreshToken
        /// Anything else: acknowledged.
        case acknowledge

        init(type: String) {
            switch type {
            case "ping": self = .ping
            case "user_message", "start_agent", "execute_agent": self = .agentRun
            case "stream_request": self = .stream
            case "refresh_token": self = .refreshToken
            default: self = .acknowledge
            }
        }
    }

    /// A complete, decoded message for the handler to act on (after the message faults).
    struct Request: Equatable {
        var type: String
        var payload: LabJSON
        var route: Route
        /// What the message faults trigger on.
        var faultContext: AppFaultMessageContext
    }

    /// What the handler does next.
    enum Action: Equatable {
        /// Nothing.
        case none
        /// Answer a ping with a pong carrying `payload`.
        case sendPong(ByteBuffer)
        /// The keepalive's ping was answered: cancel its timer.
        case keepaliveAnswered
        /// Send `error_message` with `code` and `message`; the connection stays open.
        case sendError(code: String, message: String)
        /// Apply the message faults to `request`, then route it.
        case dispatch(Request)
        /// Stop the connection's work, send a close frame with `code` and `reason`, and close the channel
        /// once the peer answers (or after the close bound).
        case sendClose(code: Int, reason: String)
        /// Stop the connection's work, answer the peer's close echoing `code` (`nil`: an empty body), and
        /// close the channel once it is written.
        case answerCloseThenCloseTransport(code: UInt16?)
        /// The peer answered our close: close the channel.
        case closeTransport
    }

    /// The phase.
    private(set) var phase: Phase = .open
    /// The message being reassembled, and whether it is text.
    private var partial: ByteBuffer?
    private var partialIsText = true
    /// JSON messages so far, and per type (at most 64 types apart, the rest as `*`).
    private(set) var messageIndex = 0
    private var typeCounts: [String: Int] = [:]
    /// The payload of the keepalive ping awaiting its pong.
    private(set) var pendingPing: [UInt8]?

    /// A connection that just opened.
    init() {}

    /// Whether the connection takes messages and sends events.
    var isOpen: Bool { phase == .open }

    // MARK: - Frames

    /// A frame came from the client; a message larger than `messageLimit` bytes (read per frame: a fault
    /// can change it on an open connection) is closed with 1009.
    mutating func frameReceived(_ frame: NIOWebSocket.WebSocketFrame, messageLimit: Int) -> Action {
        // RFC 6455 §5.2: no extension is negotiated, so reserved bits must be clear; §5.1: clients must mask.
        if frame.rsv1 || frame.rsv2 || frame.rsv3 {
            return closeRequested(code: CloseCode.protocolError.rawValue, reason: "Reserved bits set")
        }
        if frame.maskKey == nil {
            return closeRequested(code: CloseCode.protocolError.rawValue, reason: "Unmasked client frame")
        }
        switch frame.opcode {
        case .connectionClose:
            var data = frame.unmaskedData
            return closeReceived(code: data.readInteger(as: UInt16.self))
        case .ping:
            guard phase == .open else { return .none }
            return .sendPong(frame.unmaskedData)
        case .pong:
            guard let pendingPing, pendingPing.elementsEqual(frame.unmaskedData.readableBytesView) else { return .none }
            self.pendingPing = nil
            return .keepaliveAnswered
        case .text, .binary:
            guard phase == .open else { return .none }
            partial = frame.unmaskedData
            partialIsText = frame.opcode == .text
            return continueMessage(fin: frame.fin, messageLimit: messageLimit)
        case .continuation:
            guard phase == .open, var buffer = partial else { return .none }
            var more = frame.unmaskedData
            if buffer.readableBytes + more.readableBytes > messageLimit {
                partial = nil
                return closeRequested(code: CloseCode.messageTooBig.rawValue, reason: "Message too big")
            }
            partial = nil
            buffer.writeBuffer(&more)
            partial = buffer
            return continueMessage(fin: frame.fin, messageLimit: messageLimit)
        default:
            return closeRequested(code: CloseCode.protocolError.rawValue, reason: "Unknown opcode")
        }
    }

    private mutating func continueMessage(fin: Bool, messageLimit: Int) -> Action {
        guard let buffer = partial else { return .none }
        if buffer.readableBytes > messageLimit {
            partial = nil
            return closeRequested(code: CloseCode.messageTooBig.rawValue, reason: "Message too big")
        }
        guard fin else { return .none }
        partial = nil
        guard partialIsText else {
            return .sendError(code: "unsupported_binary", message: "binary frames are not supported: send JSON text frames")
        }
        guard let text = String(validating: buffer.readableBytesView, as: UTF8.self) else {
            return closeRequested(code: CloseCode.invalidPayload.rawValue, reason: "Invalid UTF-8 in text frame")
        }
        return message(text)
    }

    /// A complete text message: decoded, counted, routed.
    private mutating func message(_ text: String) -> Action {
        guard let json = LabJSON.parse(text), case .object = json else {
            return .sendError(code: "invalid_json", message: "the message is not a JSON object: send {\"type\": …, \"payload\": {…}}")
        }
        guard let type = json["type"]?.stringValue, !type.isEmpty else {
            return .sendError(code: "missing_type", message: "the message has no \"type\" field")
        }
        messageIndex += 1
        // Keyed by what the client sends: at most 64 distinct types are counted apart (faults trigger on a
        // few known types), the rest share one counter so a client cannot grow this without bound.
        if typeCounts[type] != nil || typeCounts.count < 64 {
            typeCounts[type, default: 0] += 1
        } else {
            typeCounts["*", default: 0] += 1
        }
        let context = AppFaultMessageContext(type: type, index: messageIndex, typeIndex: typeCounts[type] ?? 1)
        return .dispatch(Request(type: type, payload: json["payload"] ?? [:], route: Route(type: type), faultContext: context))
    }

    // MARK: - Close

    /// The peer's close frame came with `code` (`nil`: no status).
    mutating func closeReceived(code: UInt16?) -> Action {
        switch phase {
        case .open:
            phase = .closing
            partial = nil
            pendingPing = nil
            return .answerCloseThenCloseTransport(code: code)
        case .closing:
            // The answer to our close: the handshake is done.
            return .closeTransport
        case .closed:
            return .none
        }
    }

    /// The backend (a control event, a fault, a protocol error) closes with `code` and `reason`; only once.
    mutating func closeRequested(code: Int, reason: String) -> Action {
        guard phase == .open else { return .none }
        phase = .closing
        partial = nil
        pendingPing = nil
        return .sendClose(code: code, reason: reason)
    }

    /// The channel is gone (closed by either side, an error, a dropped connection); `true` the first time,
    /// when the handler stops its work and leaves the registry.
    mutating func ended() -> Bool {
        guard phase != .closed else { return false }
        phase = .closed
        partial = nil
        pendingPing = nil
        return true
    }

    // MARK: - Keepalive

    /// The keepalive's interval passed; `payload` is a fresh ping payload. `true`: send it as a ping and arm
    /// ``keepaliveExpired(_:)`` (not while a ping is unanswered, nor once the connection is closing).
    mutating func keepaliveDue(payload: [UInt8]) -> Bool {
        guard phase == .open, pendingPing == nil else { return false }
        pendingPing = payload
        return true
    }

    /// The keepalive timeout for the ping with `payload` passed: close with 1011 unless its pong came.
    mutating func keepaliveExpired(_ payload: [UInt8]) -> Action {
        guard pendingPing == payload else { return .none }
        return closeRequested(code: CloseCode.internalError.rawValue, reason: "keepalive ping timeout")
    }
}
