/// The HTTP CONNECT hop through a forward proxy (`--proxy`, `https_proxy`), when one was used.
public struct ProxyObservation: Codable, Sendable, Equatable {
    /// The proxy as `host:port` (never with credentials).
    public var proxy: String
    /// Where the proxy came from: `--proxy`, or the environment variable that named it (`https_proxy`).
    public var source: String
    /// The `host:port` asked for in `CONNECT`.
    public var target: String
    /// Whether `Proxy-Authorization` was sent (credentials in the proxy URL).
    public var credentialsSent: Bool
    /// The proxy's answer to `CONNECT`, when one came.
    public var status: Int?
    /// Its reason phrase (server text, scrubbed).
    public var reason: String?
    /// The proxy's `Server` or `Via` header, when given.
    public var server: String?
    /// From the TCP connection to the proxy to its complete answer, in ms.
    public var durationMs: Double?

    /// An observation of a CONNECT to `target` through `proxy`.
    public init(
        proxy: String, source: String, target: String, credentialsSent: Bool = false, status: Int? = nil, reason: String? = nil,
        server: String? = nil, durationMs: Double? = nil
    ) {
        self.proxy = proxy
        self.source = source
        self.target = target
        self.credentialsSent = credentialsSent
        self.status = status
        self.reason = reason
        self.server = server
        self.durationMs = durationMs
    }
}
