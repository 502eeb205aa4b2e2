/// The whole result of a diagnosis: the `ws1011.report/1` JSON contract.
public struct DiagnosisReport: Codable, Sendable, Equatable {
    public static let schemaID = "ws1011.report/1"

    public var schema: String
    /// The probed URL (redacted).
    public var target: String
    public var verdict: Verdict
    public var steps: [ProbeStep]
    /// The transcript through the front (or the only one).
    public var transcript: ConnectionTranscript
    /// The same plan run directly against the backend (`--direct`).
    public var directTranscript: ConnectionTranscript?
    public var measurements: Measurements?
    public var authChannels: [AuthChannelResult]?
    /// The layered steps of the direct run (`--direct`), in order; `nil` without one.
    public var directSteps: [ProbeStep]?
    /// Why the run ended before its plan was done (`--max-time`, a signal); `nil` when it ran to the end.
    public var interruption: Interruption?
    /// The WebSockets-over-HTTP/2 check of a `wss://` target (RFC 8441); `nil` when it did not run.
    public var http2: HTTP2Observation?
    /// The fleet of connections held in parallel (`--connections N`); `nil` without one.
    public var fleet: FleetObservation?
    /// Where the application did not speak the chosen profile (`client.contract-mismatch`); `nil` when it did,
    /// or when nothing was checked.
    public var contract: ContractObservation?

    public init(
        target: String, verdict: Verdict, steps: [ProbeStep], transcript: ConnectionTranscript,
        directTranscript: ConnectionTranscript? = nil, measurements: Measurements? = nil,
        authChannels: [AuthChannelResult]? = nil, directSteps: [ProbeStep]? = nil
    ) {
        self.schema = Self.schemaID
        self.target = target
        self.verdict = verdict
        self.steps = steps
        self.transcript = transcript
        self.directTranscript = directTranscript
        self.measurements = measurements
        self.authChannels = authChannels
        self.directSteps = directSteps
    }
}

/// Timeout discovery results (`--idle-probe`, `--lifetime-probe`, `--sustain`).
public struct Measurements: Codable, Sendable, Equatable {
    /// How long a silent connection lived; `nil` when it outlived the probe.
    public var idleTimeoutMs: Double?
    /// How long a connection with a ping every ``pingIntervalMs`` lived; `nil` when it outlived the probe.
    public var lifetimeMs: Double?
    /// The interval of the lifetime probe's pings (the plan's traffic interval), as it was run.
    public var pingIntervalMs: Double? = nil
    /// How long the idle probe waited at most.
    public var idleProbeMs: Double?
    /// How long the lifetime probe waited at most.
    public var lifetimeProbeMs: Double?
    /// How long the sustained connection held, and whether it lasted the whole requested time.
    public var sustainedMs: Double?
    public var sustainRequestedMs: Double?
    /// The transcripts of the timeout probes, for the classifier.
    public var idleTranscript: ConnectionTranscript?
    public var lifetimeTranscript: ConnectionTranscript?
    /// How long the silent connection direct to the backend lived (`--direct`); `nil` when it outlived the
    /// probe, or when no direct probe ran (then ``directIdleTranscript`` is `nil` too).
    public var directIdleTimeoutMs: Double?
    /// How long the pinged connection direct to the backend lived (`--direct`); `nil` when it outlived the
    /// probe, or when no direct probe ran (then ``directLifetimeTranscript`` is `nil` too).
    public var directLifetimeMs: Double?
    /// The transcripts of the timeout probes direct to the backend, for the classifier.
    public var directIdleTranscript: ConnectionTranscript?
    public var directLifetimeTranscript: ConnectionTranscript?

    public init(
        idleTimeoutMs: Double? = nil, lifetimeMs: Double? = nil, idleProbeMs: Double? = nil,
        lifetimeProbeMs: Double? = nil, sustainedMs: Double? = nil, sustainRequestedMs: Double? = nil,
        idleTranscript: ConnectionTranscript? = nil, lifetimeTranscript: ConnectionTranscript? = nil,
        directIdleTimeoutMs: Double? = nil, directLifetimeMs: Double? = nil,
        directIdleTranscript: ConnectionTranscript? = nil, directLifetimeTranscript: ConnectionTranscript? = nil
    ) {
        self.directIdleTimeoutMs = directIdleTimeoutMs
        self.directLifetimeMs = directLifetimeMs
        self.directIdleTranscript = directIdleTranscript
        self.directLifetimeTranscript = directLifetimeTranscript
        self.idleTimeoutMs = idleTimeoutMs
        self.lifetimeMs = lifetimeMs
        self.idleProbeMs = idleProbeMs
        self.lifetimeProbeMs = lifetimeProbeMs
        self.sustainedMs = sustainedMs
        self.sustainRequestedMs = sustainRequestedMs
        self.idleTranscript = idleTranscript
        self.lifetimeTranscript = lifetimeTranscript
    }
}

/// How the token travels to the backend.
public enum AuthChannel: String, Codable, Sendable, CaseIterable {
    /// `Sec-WebSocket-Protocol: jwt-auth, jwt.<token>`.
    case subprotocol
    /// `Authorization: Bearer <token>`.
    case header
    /// `?token=<token>`.
    case query
    /// No credential at all (the backend's own answer without one).
    case none
}

/// The outcome of one auth channel through one path.
public struct AuthChannelResult: Codable, Sendable, Equatable {
    public var channel: AuthChannel
    /// Through the front or straight to the backend.
    public var path: ProbePath
    /// Whether the connection opened and the backend accepted the credential.
    public var accepted: Bool
    /// Handshake status, when an HTTP answer came.
    public var status: Int?
    /// Close code, when the connection opened then closed.
    public var closeCode: Int?
    public var detail: String

    public init(channel: AuthChannel, path: ProbePath, accepted: Bool, status: Int? = nil, closeCode: Int? = nil, detail: String) {
        self.channel = channel
        self.path = path
        self.accepted = accepted
        self.status = status
        self.closeCode = closeCode
        self.detail = detail
    }
}

/// A run that ended before its plan was done: what stopped it and what it was doing.
public struct Interruption: Codable, Sendable, Equatable {
    /// `max-time`, `SIGINT`, `SIGTERM`.
    public var by: String
    /// In words: "--max-time 30s passed", "interrupted by SIGINT (Ctrl-C)".
    public var detail: String
    /// What the run was doing (`ping`, `sustain`, `auth-channels`, `idle-probe`, …).
    public var during: String
    /// Whether the main attempt was cut short (then the verdict is `inconclusive.interrupted`); `false`
    /// when only later probes (auth channels, timeout discovery) were.
    public var mainAttemptInterrupted: Bool

    public init(by: String, detail: String, during: String, mainAttemptInterrupted: Bool) {
        self.by = by
        self.detail = detail
        self.during = during
        self.mainAttemptInterrupted = mainAttemptInterrupted
    }
}
