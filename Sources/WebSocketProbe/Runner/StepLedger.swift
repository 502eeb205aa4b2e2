import WebSocketDiagnosis

/// The steps of one layered probe as they are decided, in layer order.
///
/// Sans-I/O: the runner tells it what passed, failed or does not apply; once a step fails, every
/// later step is reported `skipped` with the reason, and later outcomes are ignored.
public struct StepLedger: Sendable, Equatable {
    private var outcomes: [StepName: ProbeStep] = [:]
    /// The first step that failed, when one did.
    public private(set) var firstFailure: ProbeStep?
    /// Why the run was cut short (`--max-time 30s passed`), when it was: see ``interrupt(_:)``.
    public private(set) var interruption: String?

    /// An empty ledger.
    public init() {}

    /// Whether a step has failed or the attempt was interrupted (later steps will not run).
    public var hasFailed: Bool { firstFailure != nil || interruption != nil }

    /// Records a passed step (ignored after a failure).
    public mutating func pass(_ name: StepName, durationMs: Double? = nil, detail: String) {
        record(ProbeStep(name: name, status: .passed, durationMs: durationMs, detail: detail))
    }

    /// Records the failing step; every later step will be skipped with its name as the reason.
    public mutating func fail(_ name: StepName, durationMs: Double? = nil, detail: String) {
        let step = ProbeStep(name: name, status: .failed, durationMs: durationMs, detail: detail)
        guard !hasFailed, interruption == nil, outcomes[name] == nil else { return }
        outcomes[name] = step
        firstFailure = step
    }

    /// Replaces the outcome of `name` by `step` — for a layer checked in two parts (the message flow, then an
    /// oversized message). Ignored after a failure, like every other outcome.
    public mutating func revise(_ step: ProbeStep) {
        guard !hasFailed, interruption == nil else { return }
        outcomes[step.name] = step
        if step.status == .failed { firstFailure = step }
    }

    /// Records a step that this plan does not run (`reason` says why: "ws:// has no TLS").
    public mutating func notApplicable(_ name: StepName, reason: String) {
        record(ProbeStep(name: name, status: .skipped, detail: reason))
    }

    /// Marks the attempt as cut short by `phrase` ("interrupted by SIGINT (Ctrl-C)"): the step that was
    /// running (the one that failed because its connection was cut, or the first undecided one) is
    /// reported `skipped` as interrupted, and every later one as not run. Steps decided before stay.
    public mutating func interrupt(_ phrase: String) {
        guard interruption == nil else { return }
        interruption = phrase
        if let failed = firstFailure {
            outcomes[failed.name] = ProbeStep(
                name: failed.name, status: .skipped, durationMs: failed.durationMs,
                detail: "interrupted: \(phrase) during this step")
        } else if let running = StepName.allCases.first(where: { outcomes[$0] == nil }) {
            outcomes[running] = ProbeStep(name: running, status: .skipped, detail: "interrupted: \(phrase) during this step")
        }
        firstFailure = nil
    }

    /// The outcome recorded for `name`, if any.
    public func outcome(of name: StepName) -> ProbeStep? { outcomes[name] }

    /// Every step in layer order; steps never recorded are `skipped` with the reason.
    public var steps: [ProbeStep] {
        StepName.allCases.map { name in
            if let step = outcomes[name] { return step }
            if let interruption { return ProbeStep(name: name, status: .skipped, detail: "not run: \(interruption)") }
            if let failed = firstFailure {
                return ProbeStep(name: name, status: .skipped, detail: "not run: the \(failed.name.rawValue) step failed")
            }
            return ProbeStep(name: name, status: .skipped, detail: "not run")
        }
    }

    private mutating func record(_ step: ProbeStep) {
        guard !hasFailed, interruption == nil, outcomes[step.name] == nil else { return }
        outcomes[step.name] = step
    }
}
