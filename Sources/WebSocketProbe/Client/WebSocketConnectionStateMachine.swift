import WebSocketDiagnosis
import WebSocketWire

/// The decisions of one probe connection, apart from its channel, timers and transcript.
///
/// ``WebSocketConnection`` feeds it what happened — the transport connected, TLS finished or failed,
/// the upgrade was answered, a close frame or a protocol violation came in, the caller asked to close,
/// a bound passed, the transport ended — and performs the ``Action`` it returns (write a close frame,
/// close the channel, arm the close bound). The machine holds the phase, which close frames went
/// which way and why the transport ended; it never touches a socket or a clock, so its tests drive
/// every transition directly. What the transcript says about an event stays with the connection:
/// the machine only says what is to be done.
///
/// Modelled on swift-nio's `NIOTypedHTTPServerUpgraderStateMachine` and async-http-client's
/// `HTTP1ConnectionStateMachine`, as the lab proxy's `ProxyConnectionStateMachine` is.
struct WebSocketConnectionStateMachine {
    /// Where the connection is.
    enum Phase: Equatable {
        /// Resolving, connecting, or waiting for a proxy's tunnel.
        case connecting
        /// The TLS handshake runs.
        case tls
        /// The upgrade request is out; the response head is being read.
        case upgrading
        /// The upgrade was refused: the response's body is being read (bounded).
        case rejectedBody
        /// The attempt failed; the transport is being closed.
        case failing
        /// Upgraded: no close frame sent or received, transport up.
        case open
        /// A close frame went one way or both; the transport is still up.
        case closing
        /// The transport ended (or never came).
        case ended
    }

    /// How the upgrade response was judged (``HandshakeValidator``).
    enum UpgradeAnswer: Equatable {
        /// A valid 101 (or one the configuration tolerates): the connection opens.
        case accepted
        /// Not a 101: the body that explains the refusal is read next.
        case rejected
        /// A 101 that breaks RFC 6455 §4.1: the connection is failed.
        case invalid
    }

    /// What a frame that arrived means for the connection, once it is recorded.
    enum FrameDisposition: Equatable {
        /// A data frame after the peer's close frame (RFC 6455 §5.5.1): a finding, nothing more.
        case dataAfterClose
        /// A control frame after the peer's close: only a pong is matched to its ping.
        case lateControl
        /// A ping to answer (once per read, for the latest ping: §5.5.3).
        case answerPing
        /// A ping that is counted and not answered (answering is withheld, or our close went out).
        case countPing
        /// Anything else: pongs matched, data reassembled.
        case handle
    }

    /// What the end of the transport means, beyond how it ended.
    enum Ending: Equatable {
        /// During the TLS handshake: the handshake failed with `error` (or was closed during it).
        case duringTLS(TransportErrorKind?)
        /// During the upgrade, before the response head was complete.
        case duringUpgrade
        /// While a refused upgrade's body was read: what was read is kept.
        case duringRejectedBody
        /// The peer ended an open connection without its close frame (1006): `kind` is the failure.
        case withoutCloseFrame(ProbeFailureKind)
        /// Nothing to add.
        case plain
    }

    /// What the connection does next.
    enum Action: Equatable {
        /// Nothing.
        case none
        /// Close the channel (the reason is kept as ``localEnd``).
        case closeTransport
        /// Write a close frame with `code` (`nil`: an empty body) and `reason`.
        case sendClose(code: Int?, reason: String)
        /// Write a close frame, then close the channel once it is written (failing the connection, §7.1.7).
        case sendCloseThenCloseTransport(code: Int?, reason: String)
        /// Answer the peer's close with `code` (§5.5.1), then close the channel after the close bound.
        case answerCloseThenArmDrop(code: Int?)
        /// Close the channel after the close bound (the peer's close answered ours).
        case armDrop
        /// Record the TLS failure told by `error`; the connection is failing.
        case recordTLSFailure(TransportErrorKind)
        /// The transport ended as `end`: record it and `ending`, cancel the keepalive and the drop timer.
        case recordEnd(Ending, end: TransportEnd)
    }

    /// The phase.
    private(set) var phase: Phase = .connecting
    /// A close frame of ours went out.
    private(set) var closeSent = false
    /// The peer's close frame came in.
    private(set) var closeReceived = false
    /// Why we closed the transport ourselves, when we did (the first reason wins).
    private(set) var localEnd: TransportEnd?
    /// The first transport error the channel reported.
    private(set) var transportError: TransportErrorKind?

    /// Whether frames may be sent (and messages are expected): the connection is open.
    var isOpen: Bool { phase == .open }

    /// Whether the transport ended.
    var isEnded: Bool { phase == .ended }

    // MARK: - Opening

    /// The transport is up (through a proxy's tunnel, when there is one); TLS comes first when `secure`.
    mutating func transportConnected(secure: Bool) {
        guard phase == .connecting else { return }
        phase = secure ? .tls : .upgrading
    }

    /// The TLS handshake finished.
    mutating func tlsHandshakeCompleted() {
        if phase == .tls { phase = .upgrading }
    }

    /// The channel reported an error (it closes next); during TLS it is the handshake's failure.
    mutating func errorCaught(_ kind: TransportErrorKind) -> Action {
        if transportError == nil { transportError = kind }
        guard phase == .tls else { return .none }
        phase = .failing
        return .recordTLSFailure(kind)
    }

    /// The TLS handshake did not finish within its bound.
    mutating func tlsTimedOut() -> Action {
        guard phase == .tls else { return .none }
        phase = .failing
        return closeTransport(.localTimeout)
    }

    /// The upgrade response head was judged `answer`.
    mutating func upgradeAnswered(_ answer: UpgradeAnswer) -> Action {
        guard phase == .upgrading else { return .none }
        switch answer {
        case .accepted:
            phase = .open
            return .none
        case .rejected:
            phase = .rejectedBody
            return .none
        case .invalid:
            phase = .failing
            return closeTransport(.localClose)
        }
    }

    /// No complete response head came within the upgrade bound.
    mutating func upgradeTimedOut() -> Action {
        guard phase == .upgrading else { return .none }
        phase = .failing
        return closeTransport(.localTimeout)
    }

    /// The attempt never had a transport (connect failed, a proxy refused): it is over.
    mutating func notConnected() {
        phase = .ended
    }

    // MARK: - Frames

    /// Whether inbound frames are read now (after the upgrade, until the transport ends or a violation stops them).
    var readsFrames: Bool { phase == .open || phase == .closing }

    /// A frame with `opcode` came in; `answerPings`: pings are answered at this moment.
    func frameArrived(_ opcode: FrameOpcode, answerPings: Bool) -> FrameDisposition {
        if closeReceived { return opcode.isData ? .dataAfterClose : .lateControl }
        guard opcode == .ping else { return .handle }
        return answerPings && !closeSent ? .answerPing : .countPing
    }

    /// Whether the pong a read owes may be written now (answering could have been turned off, or a
    /// close gone out, between the ping and the end of the read).
    func mayAnswerPing(answerPings: Bool) -> Bool {
        answerPings && !closeSent && phase == .open
    }

    /// The peer's close frame came in; `echo` is the code to answer with (its own, or the violation's).
    mutating func closeFrameReceived(echo: Int?) -> Action {
        guard readsFrames, !closeReceived else { return .none }
        closeReceived = true
        phase = .closing
        if !closeSent {
            closeSent = true
            return .answerCloseThenArmDrop(code: echo)
        }
        return .armDrop
    }

    /// A frame broke the protocol (§7.1.7): the connection is failed with `closeCode` (1009 for a size).
    mutating func violation(closeCode: Int) -> Action {
        guard readsFrames else { return .none }
        phase = .closing
        if !closeSent {
            closeSent = true
            if localEnd == nil { localEnd = .localClose }
            return .sendCloseThenCloseTransport(
                code: closeCode, reason: closeCode == CloseCode.messageTooBig.rawValue ? "message too big" : "protocol error")
        }
        return closeTransport(.localClose)
    }

    // MARK: - The caller

    /// The caller sends a close frame with `code` and `reason` (``WebSocketConnection/close(code:reason:)``);
    /// before the upgrade there is nothing to close with a frame, so the transport is closed.
    mutating func closeRequested(code: Int?, reason: String) -> Action {
        switch phase {
        case .ended:
            return .none
        case .open, .closing:
            return sendClose(code: code, reason: reason)
        case .connecting, .tls, .upgrading, .rejectedBody, .failing:
            return closeTransport(.localClose)
        }
    }

    /// A close frame of ours is to go out (`.none` when one already went or the transport is gone).
    mutating func sendClose(code: Int?, reason: String) -> Action {
        guard !closeSent, phase != .ended, phase != .connecting else { return .none }
        closeSent = true
        if phase == .open { phase = .closing }
        return .sendClose(code: code, reason: reason)
    }

    /// No pong answered a keepalive ping in time: close with 1011 (`.none` unless open).
    mutating func keepaliveTimedOut() -> Action {
        guard phase == .open else { return .none }
        return sendClose(code: CloseCode.internalError.rawValue, reason: "keepalive ping timeout")
    }

    /// A bound after our close passed without the transport ending: close it ourselves, `.localClose`
    /// when the peer's close came (it is the peer's transport close that is late), else `.localTimeout`.
    mutating func closeTimedOut() -> Action {
        closeTransport(closeReceived ? .localClose : .localTimeout)
    }

    /// Closes the transport ourselves for `end` (the first reason is kept).
    mutating func closeTransport(_ end: TransportEnd) -> Action {
        guard phase != .ended else { return .none }
        if localEnd == nil { localEnd = end }
        return .closeTransport
    }

    // MARK: - The end

    /// The transport ended (FIN, reset, our own close): what the transcript is to say about it.
    mutating func transportEnded() -> Action {
        guard phase != .ended else { return .none }
        let end = transportEnd
        let ending: Ending
        switch phase {
        case .tls:
            ending = .duringTLS(transportError)
        case .upgrading:
            ending = .duringUpgrade
        case .rejectedBody:
            ending = .duringRejectedBody
        case .open, .closing:
            if !closeReceived && localEnd == nil {
                let kind: ProbeFailureKind =
                    switch end {
                    case .reset: .reset
                    case .tlsNoCloseNotify: .tlsTruncated
                    case .http2Reset: .http2StreamReset
                    case .http2GoAway: .http2GoAway
                    default: .connectionClosed
                    }
                ending = .withoutCloseFrame(kind)
            } else {
                ending = .plain
            }
        case .connecting, .failing, .ended:
            ending = .plain
        }
        phase = .ended
        return .recordEnd(ending, end: end)
    }

    /// How the transport ended, from what is known now (the local reason first, then the error).
    var transportEnd: TransportEnd {
        if let localEnd { return localEnd }
        switch transportError {
        case .reset: return .reset
        case .tlsUncleanShutdown: return .tlsNoCloseNotify
        case .http2(let ending, _): return ending
        default: return .eof
        }
    }
}
