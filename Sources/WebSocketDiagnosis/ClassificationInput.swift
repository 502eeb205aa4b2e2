/// Everything the classifier may look at: the transcripts, the probe's steps and what the plan expected.
///
/// Built by the probe runner (WebSocketProbe) and consumed by `FailureClassifier` — pure data, no I/O.
public struct ClassificationInput: Sendable, Equatable {
    /// The attempt through the front (or the only attempt).
    public var transcript: ConnectionTranscript
    /// The same plan run directly against the backend, when `--direct` was given.
    public var direct: ConnectionTranscript?
    /// The steps of the layered probe through the front, in order.
    public var steps: [ProbeStep]
    /// The steps of the direct run, when there was one.
    public var directSteps: [ProbeStep]?
    /// Timeout discovery results, when those probes ran.
    public var measurements: Measurements?
    /// The auth-channel matrix, when it ran.
    public var authChannels: [AuthChannelResult]?
    /// What the plan asked for and what came back at the application level.
    public var expectations: ProbeExpectations
    /// Why the run ended before its plan was done (`--max-time`, a signal), when it did.
    public var interruption: Interruption?
    /// The same upgrade retried with an `Origin` header, when that ran (`--origin`).
    public var originCheck: OriginCheck?
    /// The WebSockets-over-HTTP/2 check (RFC 8441), when it ran.
    public var http2: HTTP2Observation?
    /// The fleet of connections held in parallel, when `--connections` ran.
    public var fleet: FleetObservation?
    /// Where the application did not speak the chosen profile on a working connection, when it did not.
    public var contract: ContractObservation?

    public init(
        transcript: ConnectionTranscript, direct: ConnectionTranscript? = nil, steps: [ProbeStep] = [],
        directSteps: [ProbeStep]? = nil, measurements: Measurements? = nil, authChannels: [AuthChannelResult]? = nil,
        expectations: ProbeExpectations = ProbeExpectations(), interruption: Interruption? = nil
    ) {
        self.interruption = interruption
        self.transcript = transcript
        self.direct = direct
        self.steps = steps
        self.directSteps = directSteps
        self.measurements = measurements
        self.authChannels = authChannels
        self.expectations = expectations
    }

    /// The same, with the upgrade retried with an `Origin` header (`--origin`).
    public init(
        transcript: ConnectionTranscript, direct: ConnectionTranscript? = nil, steps: [ProbeStep] = [],
        directSteps: [ProbeStep]? = nil, measurements: Measurements? = nil, authChannels: [AuthChannelResult]? = nil,
        expectations: ProbeExpectations = ProbeExpectations(), originCheck: OriginCheck?
    ) {
        self.init(
            transcript: transcript, direct: direct, steps: steps, directSteps: directSteps, measurements: measurements,
            authChannels: authChannels, expectations: expectations)
        self.originCheck = originCheck
    }
}

/// What the probe plan expected at the application level, and what it saw.
public struct ProbeExpectations: Codable, Sendable, Equatable {
    /// The profile that ran (`plain`, `echo`, `reference`).
    public var profile: String
    /// A credential was sent (token via subprotocol, header or query).
    public var sentCredential: Bool
    /// Application events the plan waited for, in order (`agent_started`, …).
    public var expectedEvents: [String]
    /// Application events that arrived, in order of arrival.
    public var receivedEvents: [String]
    /// Offsets (ms since the attempt's start) at which the plan sent application messages.
    public var messagesSentAtMs: [Double]
    /// Whether the plan kept the connection busy with our pings (a keepalive or lifetime probe).
    public var pingsDuringRun: Bool
    /// How the profile frames application messages (`json`, `socketio`, `raw`); `nil` when unknown.
    public var envelope: String? = nil

    public init(
        profile: String = "plain", sentCredential: Bool = false, expectedEvents: [String] = [],
        receivedEvents: [String] = [], messagesSentAtMs: [Double] = [], pingsDuringRun: Bool = false
    ) {
        self.profile = profile
        self.sentCredential = sentCredential
        self.expectedEvents = expectedEvents
        self.receivedEvents = receivedEvents
        self.messagesSentAtMs = messagesSentAtMs
        self.pingsDuringRun = pingsDuringRun
    }
}
