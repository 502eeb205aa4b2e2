/// The run was cut short (`--max-time`, SIGINT, SIGTERM) before the main attempt finished.
///
/// The connection ended because we cut it, so nothing about its end says anything about the path or the
/// peer: no cause is named. The evidence lists the steps that finished before the stop, so the partial
/// report is still useful. Runs first: a connection we cut must not be read as a bare TCP end.
struct InterruptionRule: ClassificationRule {
    func evaluate(_ context: ClassificationContext) -> Verdict? {
        guard let interruption = context.interruption, interruption.mainAttemptInterrupted else { return nil }
        let done = context.steps.filter { $0.status != .skipped }.map { "\($0.name.rawValue) \($0.status.rawValue)" }
        let byTime = interruption.by == "max-time"
        return Verdict(
            cause: .interrupted, confidence: Confidence.certain,
            summary:
                "The run was cut short (\(interruption.detail)) during \(interruption.during), before the main probe finished: no cause can be named\(byTime ? "" : ". To finish it, run it again and let it finish")",
            evidence: [
                Evidence(rule: RuleName.interruption, observation: "\(interruption.detail) during \(interruption.during)"),
                Evidence(
                    rule: RuleName.interruption,
                    observation: done.isEmpty
                        ? "no step finished before the stop" : "finished before the stop: " + done.joined(separator: ", ")),
            ],
            next: byTime ? [NextStep(.allowMoreTime, "to finish it")] : [])
    }
}
