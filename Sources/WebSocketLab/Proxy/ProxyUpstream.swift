/// One upstream instance the proxy forwards to.
public struct ProxyUpstream: Sendable, Equatable, CustomStringConvertible {
    /// Host name or address.
    public var host: String
    /// TCP port.
    public var port: Int
    /// Whether to speak TLS to it (verification off, like nginx's default `proxy_ssl_verify off`,
    /// unless `ProxyConfiguration.upstreamTLS` says otherwise).
    public var tls: Bool

    /// Creates an upstream.
    public init(host: String, port: Int, tls: Bool = false) {
        self.host = host
        self.port = port
        self.tls = tls
    }

    public var description: String { "\(tls ? "https" : "http")://\(host):\(port)" }
}
