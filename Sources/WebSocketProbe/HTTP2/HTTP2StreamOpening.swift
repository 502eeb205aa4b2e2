import WebSocketDiagnosis

/// How the opening of a WebSocket over HTTP/2 went (`--http2`), handed from the channel to the connection.
enum HTTP2StreamOpening: Sendable, Equatable {
    /// ALPN selected this protocol (`nil`: none) to an offer of `h2` only.
    case notNegotiated(String?)
    /// The server's SETTINGS do not carry `SETTINGS_ENABLE_CONNECT_PROTOCOL = 1`.
    case notAdvertised
    /// The answer to the extended CONNECT: `:status` (when numeric), the other fields, whether it ended the stream.
    case answered(status: Int?, headers: [HeaderField], endStream: Bool, at: ContinuousClock.Instant)
    /// The stream or its connection ended before an answer.
    case ended(HTTP2StreamEnding)
    /// The connection's bound passed first (set by the connection, never by the channel).
    case timedOut
}
