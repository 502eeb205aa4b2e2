/// The connection opened and nothing failed: the path is healthy for what the plan checked.
struct HealthyRule: ClassificationRule {
    func evaluate(_ context: ClassificationContext) -> Verdict? {
        let f = context.facts
        guard f.opened, context.transcript.failure == nil, !context.steps.contains(where: { $0.status == .failed }) else { return nil }
        let t = context.transcript
        let rtts = t.pings.compactMap(\.rttMs)
        var parts = [
            "upgrade \(t.handshake?.status.map(String.init) ?? "101")\(t.http2 == nil ? "" : " over HTTP/2") at \(Describe.ms(f.openAtMs ?? 0))"
        ]
        if !rtts.isEmpty { parts.append("\(rtts.count) pings answered (max RTT \(Describe.ms(rtts.max() ?? 0)))") }
        parts.append("\(t.frames.count) frames")
        if let heartbeat = ApplicationHeartbeat(t), !heartbeat.pingsAtMs.isEmpty {
            let every = heartbeat.intervalMs.map { " every \(Describe.seconds($0))" } ?? ""
            let answered = heartbeat.answersExpected ? ", \(heartbeat.pingsAtMs.count - heartbeat.unansweredAtMs.count) answered" : ""
            let welcome = heartbeat.welcomeAtMs.map { "welcome at \(Describe.ms($0)), " } ?? ""
            parts.append("\(welcome)\(heartbeat.pingsAtMs.count) \(heartbeat.dialect.pingWords)\(every)\(answered)")
        }
        switch t.close.transportEnd {
        case .stillOpen: parts.append("still open when observation stopped")
        default:
            if let r = f.received {
                parts.append("closed \(Describe.close(code: r.code, reason: r.reason))")
            } else if let s = f.sent {
                parts.append("we closed \(Describe.close(code: s.code, reason: s.reason))")
            }
        }
        let passed = context.steps.filter { $0.status == .passed }.map(\.name.rawValue)
        var evidence = [Evidence(rule: RuleName.healthy, observation: parts.joined(separator: "; "))]
        if !passed.isEmpty {
            evidence.append(Evidence(rule: RuleName.probeSteps, observation: "steps passed: \(passed.joined(separator: ", "))"))
        }
        let exercised = !t.frames.isEmpty || !passed.isEmpty
        return Verdict(
            cause: .healthy, confidence: exercised ? Confidence.confirmed : Confidence.probable,
            summary:
                "Healthy: the connection opened\(rtts.isEmpty ? "" : ", answered pings")\(t.close.transportEnd == .stillOpen ? " and stayed up" : " and closed cleanly"); nothing to fix on this path",
            evidence: evidence)
    }
}
