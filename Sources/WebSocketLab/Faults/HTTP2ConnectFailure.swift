/// How a front that advertises `SETTINGS_ENABLE_CONNECT_PROTOCOL = 1` then fails the extended CONNECT
/// (the `h2-connect-broken` fault): what Chrome and Firefox meet and CLI clients over HTTP/1.1 never do.
public enum HTTP2ConnectFailure: Sendable, Equatable {
    /// Answers the CONNECT with this status (e.g. 400, 405, 501, 502) and ends the stream.
    case status(Int)
    /// Resets the stream with `RST_STREAM` and this error code (RFC 9113 §7, e.g. `0x1` PROTOCOL_ERROR), no answer.
    case reset(code: UInt32)
    /// Answers `:status 200`, then resets the stream at once with this error code: the WebSocket "opens" and
    /// dies before its first frame.
    case acceptThenReset(code: UInt32)

    /// The RFC 9113 §7 error codes by name (`PROTOCOL_ERROR`), in code order.
    public static let errorCodeNames = [
        "NO_ERROR", "PROTOCOL_ERROR", "INTERNAL_ERROR", "FLOW_CONTROL_ERROR", "SETTINGS_TIMEOUT", "STREAM_CLOSED", "FRAME_SIZE_ERROR",
        "REFUSED_STREAM", "CANCEL", "COMPRESSION_ERROR", "CONNECT_ERROR", "ENHANCE_YOUR_CALM", "INADEQUATE_SECURITY",
        "HTTP_1_1_REQUIRED",
    ]
}
