/// The server sent pings without pause (the client's `frame.ping-flood` finding: more pings within one second
/// than its bound) and a step failed that no earlier rule explains: the connection was busy answering a flood,
/// so the flood, not an unexplained failure, is what to fix. A flood on a run that passed is left to the
/// finding alone; a close code, a measured limit or a refusal explains a failure first.
struct PingFloodRule: ClassificationRule {
    func evaluate(_ context: ClassificationContext) -> Verdict? {
        guard let flood = context.transcript.findings.first(where: { $0.code == .pingFlood }) else { return nil }
        let failed = context.steps.filter { $0.status == .failed }
        guard !failed.isEmpty || context.transcript.failure != nil else { return nil }
        let pings =
            context.transcript.frameTotals?.first { $0.direction == .inbound && $0.opcode == "ping" }?.count
            ?? context.transcript.frames.filter { $0.direction == .inbound && $0.opcode == "ping" }.count
        var evidence = [
            Evidence(
                rule: RuleName.pingFlood,
                observation:
                    "\(flood.code)\(flood.atMs.map { " at \(Describe.ms($0))" } ?? ""): \(flood.detail); \(pings) pings received in all")
        ]
        evidence += failed.map { Evidence(rule: RuleName.probeSteps, observation: "step \($0.name.rawValue) failed: \($0.detail)") }
        let first = failed.first.map { "step \($0.name.rawValue)" } ?? "connection"
        return Verdict(
            cause: .pingFlood, confidence: Confidence.probable,
            summary:
                "The server sent pings without pause (\(pings) received) and the \(first) failed meanwhile: a keepalive timer or loop gone wrong in the server, or in a proxy that pings for it; fix its ping interval (seconds, not microseconds)",
            evidence: evidence, next: [.compareDirect()])
    }
}
