/// What one rule looks at: the transcript under examination with its derived facts, and what is
/// known besides (the direct run, measurements, the auth matrix, the plan's expectations).
///
/// The classifier builds one for the front and, when there was a direct run, one for the direct
/// transcript alone (``alone(direct:steps:thresholds:)``) so that the same rules judge both paths.
struct ClassificationContext: Sendable {
    let transcript: ConnectionTranscript
    let facts: TranscriptFacts
    /// The direct run, when there is one to compare with (`nil` when this context *is* the direct run).
    let direct: ConnectionTranscript?
    let directFacts: TranscriptFacts?
    let steps: [ProbeStep]
    let measurements: Measurements?
    let authChannels: [AuthChannelResult]?
    let expectations: ProbeExpectations
    /// The upgrade retried with an `Origin` header, when that ran.
    let originCheck: OriginCheck?
    /// The WebSockets-over-HTTP/2 check, when it ran (never set for the direct run judged alone).
    var http2: HTTP2Observation? = nil
    /// The fleet held in parallel, when one ran (never set for the direct run judged alone).
    var fleet: FleetObservation? = nil
    /// Where the application did not speak the profile (never set for the direct run judged alone).
    var contract: ContractObservation? = nil
    /// Whether `expectations.receivedEvents` describes this transcript (false for the direct run).
    let eventsObserved: Bool
    let thresholds: ClassifierThresholds
    /// Why the run was cut short, when it was (never set for the direct run judged alone).
    var interruption: Interruption? = nil

    init(input: ClassificationInput, thresholds: ClassifierThresholds) {
        transcript = input.transcript
        facts = TranscriptFacts(input.transcript, extraMessagesAtMs: input.expectations.messagesSentAtMs)
        direct = input.direct
        directFacts = input.direct.map { TranscriptFacts($0) }
        steps = input.steps
        measurements = input.measurements
        authChannels = input.authChannels
        expectations = input.expectations
        originCheck = input.originCheck
        http2 = input.http2
        eventsObserved = true
        self.thresholds = thresholds
        interruption = input.interruption
        fleet = input.fleet
        contract = input.contract
    }

    private init(direct: ConnectionTranscript, steps: [ProbeStep], expectations: ProbeExpectations, thresholds: ClassifierThresholds) {
        transcript = direct
        facts = TranscriptFacts(direct)
        self.direct = nil
        directFacts = nil
        self.steps = steps
        measurements = nil
        authChannels = nil
        self.expectations = expectations
        originCheck = nil
        eventsObserved = false
        self.thresholds = thresholds
    }

    /// A context that judges one timeout probe's transcript on its own (its pings, its close).
    static func probe(_ transcript: ConnectionTranscript, thresholds: ClassifierThresholds) -> ClassificationContext {
        ClassificationContext(direct: transcript, steps: [], expectations: ProbeExpectations(), thresholds: thresholds)
    }

    /// A context that judges the direct run on its own (no comparison, no measurements, no matrix).
    static func alone(direct: ConnectionTranscript, steps: [ProbeStep], expectations: ProbeExpectations, thresholds: ClassifierThresholds)
        -> ClassificationContext
    {
        ClassificationContext(direct: direct, steps: steps, expectations: expectations, thresholds: thresholds)
    }

    // MARK: - The direct run, summarised

    /// What the direct run showed, for rules that compare paths.
    enum DirectOutcome: Equatable {
        /// No direct run.
        case absent
        /// The direct upgrade succeeded.
        case opened
        /// The backend answered the upgrade with this status.
        case status(Int)
        /// The direct run failed before any HTTP answer (network, TLS, timeout): what happened, and the failure's
        /// kind when the run recorded one (rules decide on the kind; the text is for evidence).
        case unreachable(String, kind: ProbeFailureKind?)
    }

    var directOutcome: DirectOutcome {
        guard let d = direct else { return .absent }
        if d.timings.openAtMs != nil { return .opened }
        if let h = d.handshake, let s = h.status, !h.opensWebSocket { return .status(s) }
        if d.handshake?.opensWebSocket == true { return .unreachable("the backend's 101 failed the client's checks", kind: nil) }
        return .unreachable(d.failure.map { "\($0.stage.rawValue) \($0.kind): \($0.detail)" } ?? "no answer", kind: d.failure?.kind)
    }

    /// The direct run's evidence line.
    var directEvidence: Evidence? {
        switch directOutcome {
        case .absent: return nil
        case .opened: return Evidence(rule: RuleName.directVersusFront, observation: "the direct run's upgrade succeeded (HTTP 101)")
        case .status(let s):
            let answer = direct?.handshake.map(Describe.httpAnswer) ?? "HTTP \(s)"
            return Evidence(rule: RuleName.directVersusFront, observation: "the direct run was answered \(answer) too")
        case .unreachable(let why, _):
            return Evidence(rule: RuleName.directVersusFront, observation: "the direct run got no HTTP answer (\(why))")
        }
    }

    // MARK: - Helpers

    /// Milliseconds of a threshold.
    func ms(_ keyPath: KeyPath<ClassifierThresholds, Duration>) -> Double { thresholds[keyPath: keyPath].milliseconds }

    /// Whether two durations agree within the measurement tolerance (the larger of it and 5 %).
    func agree(_ a: Double, _ b: Double) -> Bool {
        abs(a - b) <= max(ms(\.measurementTolerance), thresholds.measurementRelativeTolerance * max(a, b))
    }
}
