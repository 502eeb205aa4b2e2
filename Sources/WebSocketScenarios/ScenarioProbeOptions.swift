import WebSocketDiagnosis
import WebSocketProbe

/// How a scenario's probe runs: the profile, the credential channel, timeout discovery, keepalive and
/// the bounds. Every duration is short (a scenario runs in a few seconds).
public struct ScenarioProbeOptions: Codable, Sendable, Equatable {
    /// Our own keepalive: a ping every `interval`; no pong within `timeout` → we send 1011 and give up.
    public struct Keepalive: Codable, Sendable, Equatable {
        public var interval: ScenarioDuration
        public var timeout: ScenarioDuration
        /// Creates keepalive settings.
        public init(interval: ScenarioDuration, timeout: ScenarioDuration) {
            self.interval = interval
            self.timeout = timeout
        }
        enum CodingKeys: String, CodingKey, CaseIterable { case interval, timeout }
    }

    /// `plain`, `echo` or `reference` (default: `reference`, the lab's contract).
    public var profile: String
    /// How the token travels: `subprotocol` (default), `header`, `query`, or `none` (no credential).
    public var credential: String
    /// Test user e-mail the token is minted for (default: the first user of `Fixtures/test_users.json`).
    public var user: String?
    /// Also run the same plan directly against the backend and compare (`--direct`).
    public var direct: Bool
    /// Run the auth-channel matrix (subprotocol, header, query).
    public var authChannels: Bool
    /// Hold a silent connection up to this long (`--idle-probe`).
    public var idleProbe: ScenarioDuration?
    /// Hold a connection with a ping every second up to this long (`--lifetime-probe`).
    public var lifetimeProbe: ScenarioDuration?
    /// Keep a connection up with traffic this long (`--sustain`).
    public var sustain: ScenarioDuration?
    /// Do not answer the server's pings (a stalled client).
    public var withholdPongs: Bool
    /// Our own keepalive pings.
    public var keepalive: Keepalive?
    /// Send one application message of this many bytes after the welcome.
    public var messageBytes: Int?
    /// Bounds of the connect, TLS and upgrade steps (default 3 s).
    public var handshakeTimeout: ScenarioDuration?
    /// Bound of each wait for a message (default 3 s).
    public var messageTimeout: ScenarioDuration?

    /// Creates probe options with the defaults above.
    public init(
        profile: String = "reference", credential: String = "subprotocol", user: String? = nil, direct: Bool = false,
        authChannels: Bool = false, idleProbe: ScenarioDuration? = nil, lifetimeProbe: ScenarioDuration? = nil,
        sustain: ScenarioDuration? = nil, withholdPongs: Bool = false, keepalive: Keepalive? = nil, messageBytes: Int? = nil,
        handshakeTimeout: ScenarioDuration? = nil, messageTimeout: ScenarioDuration? = nil
    ) {
        self.profile = profile
        self.credential = credential
        self.user = user
        self.direct = direct
        self.authChannels = authChannels
        self.idleProbe = idleProbe
        self.lifetimeProbe = lifetimeProbe
        self.sustain = sustain
        self.withholdPongs = withholdPongs
        self.keepalive = keepalive
        self.messageBytes = messageBytes
        self.handshakeTimeout = handshakeTimeout
        self.messageTimeout = messageTimeout
    }

    /// Valid values of ``profile``: the built-in profile names (``ApplicationProfile/builtInNames``).
    public static let profiles: Set<String> = Set(ApplicationProfile.builtInNames)
    /// Valid values of ``credential``: the names of ``AuthChannel``.
    public static let credentials: Set<String> = Set(AuthChannel.allCases.map(\.rawValue))

    enum CodingKeys: String, CodingKey, CaseIterable {
        case profile, credential, user, direct, authChannels, idleProbe, lifetimeProbe, sustain, withholdPongs, keepalive
        case messageBytes, handshakeTimeout, messageTimeout
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        profile = try c.decodeIfPresent(String.self, forKey: .profile) ?? "reference"
        credential = try c.decodeIfPresent(String.self, forKey: .credential) ?? "subprotocol"
        user = try c.decodeIfPresent(String.self, forKey: .user)
        direct = try c.decodeIfPresent(Bool.self, forKey: .direct) ?? false
        authChannels = try c.decodeIfPresent(Bool.self, forKey: .authChannels) ?? false
        idleProbe = try c.decodeIfPresent(ScenarioDuration.self, forKey: .idleProbe)
        lifetimeProbe = try c.decodeIfPresent(ScenarioDuration.self, forKey: .lifetimeProbe)
        sustain = try c.decodeIfPresent(ScenarioDuration.self, forKey: .sustain)
        withholdPongs = try c.decodeIfPresent(Bool.self, forKey: .withholdPongs) ?? false
        keepalive = try c.decodeIfPresent(Keepalive.self, forKey: .keepalive)
        messageBytes = try c.decodeIfPresent(Int.self, forKey: .messageBytes)
        handshakeTimeout = try c.decodeIfPresent(ScenarioDuration.self, forKey: .handshakeTimeout)
        messageTimeout = try c.decodeIfPresent(ScenarioDuration.self, forKey: .messageTimeout)
    }
}
