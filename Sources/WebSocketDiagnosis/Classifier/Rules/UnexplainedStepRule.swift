/// A probe step failed and no rule explains it: say so, with the step's own words, rather than guess.
struct UnexplainedStepRule: ClassificationRule {
    func evaluate(_ context: ClassificationContext) -> Verdict? {
        let failed = context.steps.filter { $0.status == .failed }
        let failure = context.transcript.failure
        guard !failed.isEmpty || failure != nil else { return nil }
        var evidence = failed.map { Evidence(rule: RuleName.probeSteps, observation: "step \($0.name.rawValue) failed: \($0.detail)") }
        if let failure {
            evidence.append(
                Evidence(rule: RuleName.probeSteps, observation: "\(failure.stage.rawValue) \(failure.kind): \(failure.detail)"))
        }
        let first = failed.first.map { "step \($0.name.rawValue)" } ?? "stage \(failure?.stage.rawValue ?? "?")"
        return Verdict(
            cause: .inconclusive, confidence: Confidence.unexplained,
            summary: "The \(first) failed in a way no known signature explains: read the evidence and the server log",
            evidence: evidence, next: [.compareDirect()])
    }
}
