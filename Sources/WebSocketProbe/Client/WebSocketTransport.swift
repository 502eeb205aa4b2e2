/// How a WebSocket is carried to the server.
public enum WebSocketTransport: String, Sendable, CaseIterable {
    /// An HTTP/1.1 `GET` with `Upgrade: websocket` answered 101 (RFC 6455 §4): what every CLI client does.
    case http1 = "h1"
    /// An extended CONNECT (`:protocol websocket`) on an HTTP/2 stream of a TLS connection whose ALPN
    /// selected `h2` (RFC 8441): what Chrome and Firefox do whenever the server advertises
    /// `SETTINGS_ENABLE_CONNECT_PROTOCOL = 1`. `wss://` only.
    case http2 = "h2"
}
