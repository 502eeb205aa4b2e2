/// No HTTP answer to the upgrade within the bound (slow first response, cold start), compared with the direct run.
struct UpgradeTimeoutRule: ClassificationRule {
    var comparesPaths: Bool { true }

    func evaluate(_ context: ClassificationContext) -> Verdict? {
        let t = context.transcript
        guard !context.facts.opened, t.handshake?.status == nil, let failure = t.failure,
            failure.stage == .upgrade, failure.kind.lowercased().contains("timeout")
        else { return nil }
        let waited = failure.atMs.flatMap { at in t.timings.requestWrittenAtMs.map { at - $0 } } ?? failure.atMs
        let waitText = waited.map { " for \(Describe.ms($0))" } ?? ""
        var evidence = [Evidence(rule: RuleName.upgradeTimeout, observation: "request written, no HTTP answer\(waitText): \(failure.detail)")]
        if let d = context.directEvidence { evidence.append(d) }
        switch context.directOutcome {
        case .opened:
            return Verdict(
                cause: .upgradeTimeout, confidence: 0.8,
                summary: "The front held the upgrade with no answer\(waitText) while the backend answers direct: check cold starts, queueing and the front's upstream timeout",
                evidence: evidence)
        case .unreachable(let why) where why.lowercased().contains("timeout"):
            return Verdict(
                cause: .applicationHandshakeTimeout, confidence: 0.75,
                summary: "The backend does not answer the upgrade in time, direct too: find what blocks its accept path (slow start-up, blocked event loop)",
                evidence: evidence)
        default:
            return Verdict(
                cause: .inconclusive, confidence: 0.3,
                summary: "No HTTP answer to the upgrade\(waitText): a cold start or a stalled backend; rerun with --direct to tell which",
                evidence: evidence)
        }
    }
}
