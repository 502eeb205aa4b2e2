/// A fault that acts on the extended CONNECT (RFC 8441) of a WebSocket over HTTP/2, when the proxy serves
/// HTTP/2 (``ProxyConfiguration/http2``). Rolled per stream; HTTP/1.1 connections never see it.
public protocol HTTP2ConnectFault: Fault {
    /// How the front fails the extended CONNECT.
    var connectFailure: HTTP2ConnectFailure { get }
}
