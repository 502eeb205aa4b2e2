/// The connection worked but the application events the plan waited for did not all arrive.
struct MissingEventsRule: ClassificationRule {
    func evaluate(_ context: ClassificationContext) -> Verdict? {
        guard context.facts.opened else { return nil }
        guard let (missing, evidence) = Self.missingEvents(context) else { return nil }
        let which = missing == ["(see step)"] ? "expected events" : missing.joined(separator: ", ")
        return Verdict(
            cause: .missingEvents, confidence: Confidence.probable,
            summary:
                "The connection stayed up but \(which) never arrived: check that the agent emits every event to this connection and user",
            evidence: evidence)
    }

    /// The expected events that did not arrive (or `["(see step)"]` when only a failed agent-events
    /// step says so), with evidence; `nil` when nothing is known to be missing.
    static func missingEvents(_ context: ClassificationContext) -> ([String], [Evidence])? {
        let e = context.expectations
        var missing: [String] = []
        var evidence: [Evidence] = []
        if context.eventsObserved, !e.expectedEvents.isEmpty {
            var remaining = e.receivedEvents
            for event in e.expectedEvents {
                if let i = remaining.firstIndex(of: event) { remaining.remove(at: i) } else { missing.append(event) }
            }
            if !missing.isEmpty {
                evidence.append(
                    Evidence(
                        rule: RuleName.expectedEvents,
                        observation:
                            "expected \(e.expectedEvents.count) events [\(e.expectedEvents.joined(separator: ", "))], received [\(e.receivedEvents.joined(separator: ", "))]; missing [\(missing.joined(separator: ", "))]"
                    ))
            }
        }
        if missing.isEmpty, let step = context.steps.first(where: { $0.name == .agentEvents && $0.status == .failed }) {
            missing = ["(see step)"]
            evidence.append(Evidence(rule: RuleName.probeSteps, observation: "step agent-events failed: \(step.detail)"))
        }
        guard !missing.isEmpty else { return nil }
        return (missing, evidence)
    }
}
