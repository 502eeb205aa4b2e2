import WebSocketDiagnosis

/// The RFC 8441 rules that the `h2` check (``HTTP2ExtendedConnectExchange``) and the `--http2` stream
/// (``HTTP2WebSocketStream``) share, so that both machines read the same frames the same way: what
/// advertises the extended CONNECT, which answer opens the stream, and which `GOAWAY` lets it run.
enum HTTP2ExtendedConnectRules {
    /// `SETTINGS_ENABLE_CONNECT_PROTOCOL` (RFC 8441 §3).
    static let enableConnectProtocol = 8

    /// The stream the extended CONNECT opens: the client's first (RFC 9113 §5.1.1).
    static let streamID = 1

    /// Whether `settings` advertise the extended CONNECT: `SETTINGS_ENABLE_CONNECT_PROTOCOL = 1`, the last
    /// value sent for it counting (RFC 9113 §6.5.3).
    static func advertises(_ settings: [HTTP2Observation.Setting]) -> Bool {
        settings.last { $0.id == enableConnectProtocol }?.value == 1
    }

    /// What an answer to the extended CONNECT is.
    enum Answer: Sendable, Equatable {
        /// An interim answer (100, 103 Early Hints) before the final one (RFC 9113 §8.1): wait on past it.
        case interim
        /// A 2xx without `END_STREAM`: the stream carries the WebSocket (RFC 8441 §5).
        case opens
        /// Anything else: a status other than 2xx (or none), or a 2xx that ends the stream (no tunnel). The words
        /// say which: `403`, `no :status`, `200 with END_STREAM`.
        case refuses(String)
    }

    /// Judges the answer `status` (`nil`: no numeric `:status`), `endStream` when it ends the stream.
    static func answer(status: Int?, endStream: Bool) -> Answer {
        guard let status else { return .refuses("no :status") }
        if (100..<200).contains(status) && !endStream { return .interim }
        guard (200..<300).contains(status) else { return .refuses("\(status)\(endStream ? " with END_STREAM" : "")") }
        return endStream ? .refuses("\(status) with END_STREAM") : .opens
    }

    /// Whether a `GOAWAY` lets the stream run on: a graceful one (`NO_ERROR`) whose last stream id still covers it.
    static func letsTheStreamRun(goAwayCode code: String, lastStreamID: Int) -> Bool {
        code == "NO_ERROR" && lastStreamID >= streamID
    }
}
