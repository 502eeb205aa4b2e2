import WebSocketDiagnosis

/// Configuration of one instrumented WebSocket connection; every wait has a bound.
public struct ClientConfiguration: Sendable {
    /// The target.
    public var url: WebSocketURL
    /// Extra request headers, sent in order after the ones the handshake needs (default none).
    public var headers: [HeaderField] = []
    /// Subprotocols offered in `Sec-WebSocket-Protocol`, in order (default none).
    public var subprotocols: [String] = []
    /// Fail the connection when subprotocols were offered and the server selected none (default `true`, as
    /// browsers do); `false` keeps such a connection open (the finding is still recorded), for an application
    /// whose contract is to select none.
    public var requireSubprotocolSelection: Bool = true
    /// Offer `permessage-deflate` (RFC 7692) (default `false`).
    public var offerDeflate: Bool = false
    /// TLS settings for `wss://`.
    public var tls: TLSSettings = .init()
    /// `--resolve` and `--connect-to` routes: where to connect instead of what the URL names; the first
    /// `--connect-to` that matches applies, then the first `--resolve` for the resulting host (default none).
    public var routes: [ConnectRoute] = []
    /// A forward proxy to tunnel through with `CONNECT` (for hosts it does not exempt) (default `nil`: direct).
    public var proxy: ProxySettings? = nil
    /// The bounds of every wait.
    public var timeouts: Timeouts = .init()
    /// How the WebSocket is carried: an HTTP/1.1 upgrade (default) or an RFC 8441 extended CONNECT on an
    /// HTTP/2 stream (``WebSocketTransport/http2``, `--http2`, `wss://` only).
    public var transport: WebSocketTransport = .http1
    /// Answer the peer's pings (default `true`); `false` withholds pongs to reproduce a stalled client.
    public var answerPings: Bool = true
    /// Our own periodic pings; when one gets no pong within its timeout we send close 1011 and give up
    /// (default `nil`: no keepalive).
    public var keepalive: Keepalive? = nil
    /// The largest frame payload accepted (default 16 MiB); larger is a finding and closes with 1009.
    public var maxFrameBytes: Int = 16 << 20
    /// The largest reassembled message accepted (default 64 MiB).
    public var maxMessageBytes: Int = 64 << 20
    /// Most frames one message may span (default 10,000): a flood of empty fragments is a finding, not a hang.
    public var maxFragmentsPerMessage: Int = 10_000
    /// Inbound pings a second beyond which the peer is flooding (default 100: keepalives ping every few
    /// seconds). Past it the finding `frame.ping-flood` is recorded once; pongs are always coalesced to
    /// the latest ping of each read (RFC 6455 §5.5.3), so a flood costs one pong per read, not per ping.
    public var maxPingsPerSecond: Int = 100
    /// Unread messages kept for ``WebSocketConnection/receive(timeout:)`` (default 1,024, and at most
    /// ``maxMessageBytes`` of them in all); past either, the oldest are dropped with a finding.
    public var maxUnreadMessages: Int = 1024
    /// Findings of one code listed in the transcript (default 16); the rest are counted in one finding.
    public var maxFindingsPerCode: Int = 16
    /// The largest upgrade response head accepted (default 64 KiB).
    public var maxHandshakeHeadBytes: Int = 64 << 10
    /// Called with every frame as it is recorded (its preview already scrubbed), on the connection's event
    /// loop: `ws1011 diagnose -v` prints a live trace with it (default none).
    public var frameObserver: (@Sendable (FrameRecord) -> Void)? = nil
    /// Scrubs secrets from everything recorded (add tokens with `.adding(secrets:)`).
    public var redactor: Redactor = Redactor()

    /// A configuration for `url` with every other setting at its default.
    public init(url: WebSocketURL) {
        self.url = url
    }

    /// TLS settings for `wss://`: verification is on by default.
    public struct TLSSettings: Sendable {
        /// A PEM file of extra trust roots (a private CA) (default `nil`).
        public var caFile: String? = nil
        /// Extra PEM trust roots given inline (tests, the lab's CA) (default none).
        public var trustRootsPEM: [String] = []
        /// Turn certificate verification off (recorded in the transcript) (default `false`).
        public var insecure: Bool = false
        /// The name sent as SNI and verified, default the URL's host.
        public var serverName: String? = nil
        /// A PEM client certificate (chain, leaf first) offered when the server asks for one (mutual TLS);
        /// the file may hold the key too (default `nil`: none offered).
        public var clientCertificateFile: String? = nil
        /// The PEM private key of ``clientCertificateFile`` when it is in a file of its own (default `nil`).
        public var clientKeyFile: String? = nil
        /// Verification on, system trust roots only.
        public init() {}
    }

    /// The bound of every wait.
    public struct Timeouts: Sendable {
        /// DNS resolution plus TCP connect (default 10 s).
        public var connect: Duration = .seconds(10)
        /// The TLS handshake (default 10 s).
        public var tlsHandshake: Duration = .seconds(10)
        /// Request written → response head complete (default 10 s).
        public var upgrade: Duration = .seconds(10)
        /// Default bound of `receive()` (default 10 s).
        public var message: Duration = .seconds(10)
        /// The close handshake and the transport end (default 5 s).
        public var close: Duration = .seconds(5)
        /// All bounds at their defaults.
        public init() {}
    }

    /// Our own periodic pings.
    public struct Keepalive: Sendable {
        /// Time between pings.
        public var interval: Duration
        /// How long to wait for each pong before giving up with close 1011.
        public var timeout: Duration
        /// A keepalive pinging every `interval`, giving up after `timeout` without a pong.
        public init(interval: Duration, timeout: Duration) {
            self.interval = interval
            self.timeout = timeout
        }
    }
}
