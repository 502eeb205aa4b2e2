import WebSocketAuth

/// Everything the lab's backend and auth service need; every field has a working default.
public struct LabConfiguration: Sendable {
    /// Address to bind, default `127.0.0.1` (loopback only).
    public var host: String = "127.0.0.1"
    /// Backend port; 0 (default) picks a free port — read it back from ``LabServer/port``.
    public var port: Int = 0
    /// Auth service port: `nil` (default) serves `/auth/*` on the backend port; 0 picks a free separate port.
    public var authPort: Int? = nil
    /// Serve `wss://` (and `https://`) presenting this certificate variant of a fresh ``LabCertificateAuthority``;
    /// `nil` (default) serves plain `ws://`.
    public var tls: TLSVariant? = nil
    /// HS256 secret of the auth service (and of the backend unless the `secret-mismatch` fault is on); default
    /// the public ``defaultSecret``, which ``checkSecret()`` refuses off loopback.
    public var jwtSecret: String = LabConfiguration.defaultSecret
    /// `iss` of minted tokens, checked by the backend.
    public var issuer: String = LabClaims.defaultIssuer
    /// `aud` of minted tokens, checked by the backend.
    public var audience: String = LabClaims.defaultAudience
    /// Users the auth service knows; default the two users of the test plan.
    public var users: [TestUser] = TestUser.defaults
    /// Access-token lifetime, default one hour.
    public var accessTokenLifetime: Duration = .seconds(3600)
    /// Refresh-token lifetime, default one day.
    public var refreshTokenLifetime: Duration = .seconds(86_400)
    /// Server keepalive: ping every `interval`, close 1011 "keepalive ping timeout" without a pong within
    /// `timeout`. Default 20 s / 20 s like uvicorn and Python `websockets`; `nil` turns it off.
    public var heartbeat: Heartbeat? = Heartbeat()
    /// Application faults active from the start (see ``FaultRegistry``).
    public var appFaults: [FaultSpec] = []
    /// Delay between two agent events, default 20 ms.
    public var agentStepDelay: Duration = .milliseconds(20)
    /// Number of `agent_thinking` events per run (at least 2), default 3.
    public var thinkingSteps: Int = 3
    /// Number of `partial_result` chunks per `stream_request` unless the request says `chunks`, default 5.
    public var streamChunks: Int = 5
    /// Largest inbound message (after reassembly) before a close 1009, default 1 MiB.
    public var maxMessageBytes: Int = 1 << 20
    /// Largest single inbound frame before a close 1009, default 1 MiB.
    public var maxFrameBytes: Int = 1 << 20
    /// Largest HTTP request head, default 16 KiB (beyond it: HTTP 431/400 and the connection closes).
    public var maxHeaderBytes: Int = 16 << 10
    /// Largest HTTP request body (`/auth/*`), default 64 KiB (beyond it: 413).
    public var maxBodyBytes: Int = 64 << 10
    /// How long new upgrades get 503 after ``LabServer/restart()``, default 500 ms.
    public var restartDowntime: Duration = .milliseconds(500)
    /// How long a connection may stay without completing a WebSocket upgrade (a silent connect, a
    /// half-sent request head, an idle HTTP keep-alive) before the lab closes it; default 10 s.
    public var handshakeTimeout: Duration = .seconds(10)

    /// The lab's built-in signing secret (48 bytes; public, in the source: for loopback labs only).
    public static let defaultSecret = "ws1011-lab-signing-secret-not-for-production-use"
    /// The fewest bytes of signing secret a lab reachable from other machines accepts: 32 (RFC 7518 §3.2).
    public static let minimumExposedSecretBytes = 32

    public init() {}

    /// Checks the signing secret against the bind address (``LabServer/start(_:eventLoopGroup:)`` calls it).
    ///
    /// An empty secret is always refused. On loopback any other secret is accepted (a short one signs as any
    /// HS256 implementation does; ``TokenMinter/shortSecretWarning(_:)`` says it is weak). Off loopback
    /// (`0.0.0.0`, a LAN address, a host name) anyone who can reach the lab could mint tokens with the public
    /// ``defaultSecret``, so it is refused, and so is a secret shorter than ``minimumExposedSecretBytes``.
    public func checkSecret() throws(LabError) {
        let fix = "ws1011 lab: --secret-file PATH (or - for standard input), WS1011_JWT_SECRET or --secret"
        guard !jwtSecret.isEmpty else { throw .configuration("the signing secret is empty: set one (\(fix))") }
        let bind = ListenHost(host)
        guard !bind.isLoopback else { return }
        guard jwtSecret != Self.defaultSecret else {
            throw .configuration(
                "the lab listens on \(host), which other machines can reach, and its built-in signing secret is public "
                    + "(anyone could mint tokens for it): set your own secret of at least \(Self.minimumExposedSecretBytes) bytes "
                    + "(\(fix)), or listen on 127.0.0.1")
        }
        let count = jwtSecret.utf8.count
        guard count >= Self.minimumExposedSecretBytes else {
            throw .configuration(
                "the signing secret is \(count) bytes; a lab listening on \(host), which other machines can reach, needs at "
                    + "least \(Self.minimumExposedSecretBytes) (RFC 7518 §3.2): give a longer one (\(fix)), or listen on 127.0.0.1")
        }
    }

    /// Server keepalive settings.
    public struct Heartbeat: Sendable, Equatable {
        /// Time between two server pings, default 20 s.
        public var interval: Duration
        /// How long to wait for the pong, default 20 s.
        public var timeout: Duration
        public init(interval: Duration = .seconds(20), timeout: Duration = .seconds(20)) {
            self.interval = interval
            self.timeout = timeout
        }
    }
}
