import WebSocketDiagnosis

/// The outcome of running one scenario: what was expected, what was observed, and whether they match.
public struct ScenarioResult: Codable, Sendable, Equatable {
    /// What a run observed: the signature on the wire and the classifier's verdict.
    public struct Observation: Codable, Sendable, Equatable {
        public var signature: ObservedSignature
        public var verdict: Verdict
        /// Creates an observation.
        public init(signature: ObservedSignature, verdict: Verdict) {
            self.signature = signature
            self.verdict = verdict
        }
    }

    public var id: String
    public var title: String
    public var matched: Bool
    public var expected: ScenarioExpectation
    /// `nil` when the topology could not be started (see ``error``).
    public var observed: Observation?
    /// One sentence per difference between expected and observed.
    public var mismatches: [String]
    /// Why the scenario could not run (a fault the lab does not know, a port that could not be bound).
    public var error: String?
    /// Wall-clock duration of the run.
    public var durationMs: Double

    /// Creates a result; `matched` is derived from `mismatches` and `error`.
    public init(
        id: String, title: String, expected: ScenarioExpectation, observed: Observation?, mismatches: [String], error: String? = nil,
        durationMs: Double
    ) {
        self.id = id
        self.title = title
        self.expected = expected
        self.observed = observed
        self.mismatches = mismatches
        self.error = error
        self.durationMs = durationMs
        self.matched = error == nil && observed != nil && mismatches.isEmpty
    }

    /// Compares a run's observation with the scenario's expectation.
    public static func compare(_ scenario: Scenario, observed: Observation, durationMs: Double) -> ScenarioResult {
        var mismatches = scenario.expected.signature.mismatches(against: observed.signature)
        if !observed.signature.present {
            mismatches.insert("the \(observed.signature.from.rawValue) transcript is missing: enable that probe in 'probe'", at: 0)
        }
        let v = observed.verdict
        if v.layer != scenario.expected.verdict.layer || v.cause != scenario.expected.verdict.cause {
            mismatches.append(
                "verdict: expected \(scenario.expected.verdict), observed \(v.layer.rawValue) / \(v.cause.rawValue) — \(v.summary)")
        }
        return ScenarioResult(
            id: scenario.id, title: scenario.title, expected: scenario.expected, observed: observed, mismatches: mismatches,
            durationMs: durationMs)
    }
}
