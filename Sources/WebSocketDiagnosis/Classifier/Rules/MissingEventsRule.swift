/// The connection worked but the application events the plan waited for did not all arrive — or the
/// server's application heartbeat (``ApplicationHeartbeat``: Action Cable's welcome and 3-s pings, the
/// Engine.IO pings its open packet announced) never came or stopped for more than two intervals.
struct MissingEventsRule: ClassificationRule {
    func evaluate(_ context: ClassificationContext) -> Verdict? {
        guard context.facts.opened else { return nil }
        guard let (missing, evidence) = Self.missingEvents(context) else { return Self.heartbeatMissing(context) }
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

    /// The server's application heartbeat missing at the end of the observation: never started (Action
    /// Cable: no welcome either, so its `connect` did not finish) or stopped for more than two intervals.
    static func heartbeatMissing(_ context: ClassificationContext) -> Verdict? {
        let f = context.facts
        let t = context.transcript
        guard let open = f.openAtMs, let heartbeat = ApplicationHeartbeat(t),
            let end = f.endAtMs ?? t.frames.map(\.atMs).max(),
            let (since, last) = heartbeat.missing(at: end, openAtMs: open, thresholds: context.thresholds),
            let interval = heartbeat.intervalMs
        else { return nil }
        let name = heartbeat.dialect.rawValue
        var evidence = [
            Evidence(
                rule: RuleName.applicationKeepalive,
                observation:
                    last.map {
                        "the server's \(heartbeat.dialect.pingWords) came every \(Describe.seconds(interval)) (\(heartbeat.intervalSource)) and stopped: the last at \(Describe.ms($0)), nothing for \(Describe.ms(since)) before the end of the observation"
                    }
                    ?? "no \(heartbeat.dialect.pingWords) in the \(Describe.ms(since)) the connection was watched, though the server sends one every \(Describe.seconds(interval)) (\(heartbeat.intervalSource))"
            )
        ]
        if heartbeat.dialect == .actionCable, heartbeat.welcomeAtMs == nil {
            evidence.append(
                Evidence(
                    rule: RuleName.applicationKeepalive,
                    observation:
                        "no {\"type\":\"welcome\"} either: Action Cable sends it, and starts the pings, only once the connection's connect has returned (connection/base.rb handle_open)"
                ))
            return Verdict(
                cause: .missingEvents, confidence: Confidence.likely,
                summary:
                    "Action Cable accepted the WebSocket but never sent its welcome nor a ping: the connection's connect raised or is stuck (the server log says why); its JavaScript client declares such a connection stale after 6 s and reconnects in a loop",
                evidence: evidence)
        }
        return Verdict(
            cause: .missingEvents, confidence: Confidence.plausible,
            summary:
                "The connection stayed up but the server's \(name) heartbeat \(last == nil ? "never started" : "stopped"): its event loop or workers are stalled, or something between buffers its messages; clients declare such a connection stale and reconnect",
            evidence: evidence)
    }
}
