import WebSocketDiagnosis

/// How the HTTP/2 stream of a WebSocket ended (`--http2`): passed down the channel as an error once the
/// stream is open, so that the connection records it as its transport end (``TransportErrorKind/http2(_:_:)``).
struct HTTP2StreamEnding: Error, Sendable, Equatable, CustomStringConvertible {
    /// The transport end to record (`h2-end-stream`, `h2-rst-stream`, `h2-goaway`); `nil` when the TCP
    /// connection itself ended (then the socket's end is what counts).
    var end: TransportEnd?
    /// The failure kind when the ending is a failure of the stream (`RST_STREAM`, `GOAWAY`).
    var kind: ProbeFailureKind?
    /// What ended it: `RST_STREAM CANCEL`, `GOAWAY PROTOCOL_ERROR (last stream 0)`, ….
    var detail: String
    /// When it was read.
    var at: ContinuousClock.Instant

    var description: String { detail }
}
