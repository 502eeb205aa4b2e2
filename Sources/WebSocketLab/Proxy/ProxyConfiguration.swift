import NIOSSL

/// Everything the fault proxy needs to start.
public struct ProxyConfiguration: Sendable {
    /// Address to listen on; default loopback only.
    public var listenHost: String = "127.0.0.1"
    /// Port to listen on; 0 (default) picks a free one (read it back from `FaultProxy.port`).
    public var listenPort: Int = 0
    /// The upstream instances (at least one).
    public var upstreams: [ProxyUpstream]
    /// How instances are picked; default round-robin.
    public var balancing: ProxyBalancing = .roundRobin
    /// TLS termination: when set, clients speak TLS to the proxy (e.g. from the lab's CA).
    public var tls: NIOSSLContext?
    /// TLS termination with a fresh lab CA of the proxy's own, serving this variant's certificate for
    /// loopback and the listen host (as the lab does); ignored when ``tls`` is given. The root to trust is
    /// ``FaultProxy/rootCertificatePEM``, in memory: no file is written. Default nil (no TLS).
    public var tlsVariant: TLSVariant?
    /// Serve HTTP/2 too (RFC 8441 WebSockets over HTTP/2, as browsers open them): TLS offers ALPN `h2` and
    /// `http/1.1`; HTTP/1.1 clients get the proxy as without it, HTTP/2 clients an HTTP/2 server whose
    /// SETTINGS carry `SETTINGS_ENABLE_CONNECT_PROTOCOL = 1`, each extended CONNECT bridged to the upstream
    /// as an HTTP/1.1 upgrade and each plain request forwarded as an HTTP/1.1 request. Frame, stream,
    /// handshake and timer faults apply to HTTP/1.1 connections only; `h2-connect-broken` to the extended
    /// CONNECT. Needs TLS: ``tlsVariant``, or a ``tls`` context whose ALPN offers `h2`. Default false.
    public var http2: Bool = false
    /// The root of the CA made for ``tlsVariant``, once the proxy has started.
    public internal(set) var rootCertificatePEM: String?
    /// Client TLS settings for upstreams with `tls: true`; default: no certificate verification.
    public var upstreamTLS: TLSConfiguration?
    /// Faults active from the start.
    public var faults: [FaultSpec] = []
    /// Address of the admin API; default loopback.
    public var adminHost: String = "127.0.0.1"
    /// Port of the admin API; nil (default) runs none, 0 picks a free one.
    public var adminPort: Int?
    /// Bearer token the admin API requires for changes (`Authorization: Bearer TOKEN`); nil (default): changes
    /// need `Content-Type: application/json` instead. See ``AdminRequestPolicy``. Never printed.
    public var adminToken: String?
    /// Largest request or response head accepted; default 32 KiB (bigger heads get 431 / 502).
    public var maxHeadBytes: Int = 32 * 1024
    /// Bound on connecting to an upstream; default 5 s (then 502).
    public var upstreamConnectTimeout: Duration = .seconds(5)
    /// Bound on waiting for the upstream's response head; default 30 s (then 504).
    public var upstreamResponseTimeout: Duration = .seconds(30)
    /// Bound on a client's request head (then the connection is closed), like nginx's `client_header_timeout`;
    /// also the bound on a TLS handshake at the HTTP/2 front and on an HTTP/2 connection with no stream open.
    /// `nil` (the default) uses ``upstreamResponseTimeout``. A short one cuts slow or silent clients without
    /// also cutting a slow upstream's answer.
    public var requestHeadTimeout: Duration?

    /// The bound in effect on a client's head: ``requestHeadTimeout``, else ``upstreamResponseTimeout``.
    var clientHeadTimeout: Duration { requestHeadTimeout ?? upstreamResponseTimeout }
    /// Bound on writing the proxy's own answer (400, 431, 502, 503, 504) to a client before the client
    /// is closed without it (a client that does not read); default 5 s.
    public var answerTimeout: Duration = .seconds(5)
    /// Bytes a fault may hold back in one direction (delay queues) before the proxy stops reading
    /// from the sender; default 1 MiB.
    public var maxQueuedBytes: Int = 1 << 20

    /// Creates a configuration for `upstreams`.
    public init(upstreams: [ProxyUpstream], faults: [FaultSpec] = [], balancing: ProxyBalancing = .roundRobin) {
        self.upstreams = upstreams
        self.faults = faults
        self.balancing = balancing
    }
}
