import WebSocketDiagnosis

/// What a layered probe should do: the target, the profile, the credential and every bound.
///
/// Pure configuration (no I/O). The CLI parses its options into one of these; tests build one by hand.
public struct ProbePlan: Sendable {
    /// The URL probed (through the front, or the only URL).
    public var target: WebSocketURL
    /// The application's contract the probe speaks after the upgrade (default ``ApplicationProfile/plain``).
    public var profile: ApplicationProfile = .plain
    /// Extra request headers, in order (default none).
    public var headers: [HeaderField] = []
    /// Subprotocols offered, in order, before any the profile adds (default none).
    public var subprotocols: [String] = []
    /// TLS trust and verification (default: system roots, verification on).
    public var tls: ClientConfiguration.TLSSettings = .init()
    /// `--resolve`/`--connect-to` routes for every connection of the run (default none).
    public var routes: [ConnectRoute] = []
    /// A forward proxy every connection of the run tunnels through (hosts it exempts excepted) (default `nil`).
    public var proxy: ProxySettings? = nil
    /// Connect / TLS / upgrade / message / close bounds (defaults 10 s, close 5 s).
    public var timeouts: ClientConfiguration.Timeouts = .init()
    /// Where the token comes from (default none).
    public var token: TokenSource = .none
    /// The backend's own URL, to run the same plan side by side without the front (`--direct`).
    public var direct: WebSocketURL? = nil
    /// Hold a silent connection up to this long to discover an idle timeout (`--idle-probe`).
    public var idleProbe: Duration? = nil
    /// Hold a connection with a ping every second up to this long to discover a lifetime cap (`--lifetime-probe`).
    public var lifetimeProbe: Duration? = nil
    /// Keep the main connection up with traffic this long (`--sustain`).
    public var sustain: Duration? = nil
    /// Interval of the pings during `sustain` and the lifetime probe (default 1 s).
    public var trafficInterval: Duration = .seconds(1)
    /// Run the auth-channel matrix when the plan has a credential and the profile names more than one
    /// channel, or an `Authorization` header was given (default `true`).
    public var authChannelMatrix: Bool = true
    /// Do not answer the server's pings (`--withhold-pongs`): a stalled client, to reproduce a server keepalive
    /// giving up (default `false`).
    public var withholdPongs: Bool = false
    /// Our own keepalive on every connection of the run (`--keepalive INTERVAL:TIMEOUT`): a ping every
    /// `interval`; no pong within `timeout` → we send 1011 and give up (default none).
    public var keepalive: ClientConfiguration.Keepalive? = nil
    /// After the message flow, send one application message of this many bytes (`--message-size`) and wait
    /// (up to the message bound) for the connection's reaction: a size limit answers with 1009 or a drop
    /// (default none).
    public var messageSize: Int? = nil
    /// One bound on the whole run, timeout probes included (`--max-time`, like curl's `-m`); when it
    /// passes, the run stops and the report says what was cut short (default none).
    public var maxTime: Duration? = nil
    /// Which auth channels the auth-channel matrix may carry the credential by (`--auth-channels`).
    /// `nil` (the default) means the channels the user already chose: the one the credential was given
    /// in (a header), or the profile's own (`lab`: subprotocol and header). The URL query is never
    /// used unless named here: fronts, load balancers and Cloud Run log full URLs.
    public var authChannels: [AuthChannel]? = nil
    /// Called with every frame of every connection of the run and the connection's name (`front`, `direct`,
    /// `auth-channels`, `idle-probe`, …), previews scrubbed (`-v`); default none.
    public var frameObserver: (@Sendable (String, FrameRecord) -> Void)? = nil
    /// Secrets to scrub from everything recorded, beyond the token itself (signing secrets, header values).
    public var extraSecrets: [String] = []
    /// The `Origin` header every upgrade of the run sends (`--origin`, e.g. `https://app.example.com`); a
    /// browser always sends one, a CLI none (default none). Without it, an upgrade refused with 403/400 is
    /// retried once with the target's own origin to test the server's Origin check (``ProbeRunner/originCheck(front:token:redactor:)``).
    public var origin: String? = nil
    /// Whether a `wss://` run also checks WebSockets over HTTP/2 (RFC 8441) on a connection of its own, as
    /// Chrome and Firefox would open them (``HTTP2WebSocketCheck``; default on, `--no-h2` turns it off).
    public var http2Check: Bool = true
    /// How every WebSocket of the run is carried: HTTP/1.1 (default) or, with `--http2`, an RFC 8441
    /// extended CONNECT on an HTTP/2 stream, as Chrome and Firefox do (`wss://` only). Over HTTP/2 the
    /// separate check (``http2Check``) does not run: the run itself is that check.
    public var transport: WebSocketTransport = .http1
    /// After the main attempt, hold this many connections in parallel (`--connections N`, 1…``maximumConnections``),
    /// each with a ping every ``trafficInterval``, to see many connections end at once (a reload, a deploy) or
    /// a part of them fail one way (one bad instance) (default none).
    public var connections: Int? = nil
    /// How long the fleet of ``connections`` is held from its start (`--hold`, default 10 s); bounded by ``maxTime``.
    public var fleetHold: Duration = .seconds(10)

    /// The response header in which the front names the backend instance that served a fleet connection
    /// (`--instance-header NAME`), looked for before the usual ones (``FleetConnection/instanceHeaders``:
    /// `X-Served-By`, `X-Backend-Server`); default none.
    public var instanceHeader: String? = nil

    /// The most connections one fleet may hold.
    public static let maximumConnections = 1000

    /// A plan for `target` with every other setting at its default.
    public init(target: WebSocketURL) {
        self.target = target
    }
}

/// What a probe exercises once the connection is open: an ``ApplicationProfile`` (the name it had when the
/// profiles were a fixed list).
public typealias ProbeProfile = ApplicationProfile

/// Where the probe's token comes from.
public enum TokenSource: Sendable, Equatable {
    /// No credential.
    case none
    /// A token given literally (`--token`).
    case literal(String)
    /// Minted locally with an HS256 signing secret for a test user (`--secret`, `--user`).
    case mint(secret: String, email: String)
    /// Fetched from an auth service: `POST {"email": …}` → `access_token` (`--auth-url`, `--user`).
    case fetch(authURL: String, email: String)

    /// Literal secrets this source carries (the token, the signing secret), for the redactor.
    public var secrets: [String] {
        switch self {
        case .none, .fetch: []
        case .literal(let token): [token]
        case .mint(let secret, _): [secret]
        }
    }
}
