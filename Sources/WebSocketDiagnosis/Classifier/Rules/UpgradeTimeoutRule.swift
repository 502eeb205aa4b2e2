/// No HTTP answer to the upgrade: the bound fired (slow first response, cold start), or the connection
/// closed before a response head arrived. Compared with the direct run.
///
/// A reset before any response byte is ``NetworkFailureRule``'s (it runs first).
struct UpgradeTimeoutRule: ClassificationRule {
    var comparesPaths: Bool { true }

    func evaluate(_ context: ClassificationContext) -> Verdict? {
        let t = context.transcript
        guard !context.facts.opened, t.handshake?.status == nil, let failure = t.failure, failure.stage == .upgrade else { return nil }
        if failure.kind.isTimeout { return timedOut(context, failure: failure) }
        if failure.kind.isTransportEnd { return closedWithoutAnswer(context, failure: failure) }
        return nil
    }

    private func timedOut(_ context: ClassificationContext, failure: ProbeFailure) -> Verdict {
        let t = context.transcript
        let waited = failure.atMs.flatMap { at in t.timings.requestWrittenAtMs.map { at - $0 } } ?? failure.atMs
        let waitText = waited.map { " for \(Describe.ms($0))" } ?? ""
        var evidence = [
            Evidence(rule: RuleName.upgradeTimeout, observation: "request written, no HTTP answer\(waitText): \(failure.detail)")
        ]
        if let d = context.directEvidence { evidence.append(d) }
        switch context.directOutcome {
        case .opened:
            return Verdict(
                cause: .upgradeTimeout, confidence: Confidence.strong,
                summary:
                    "The front held the upgrade with no answer\(waitText) while the backend answers direct: check cold starts, queueing and the front's upstream timeout",
                evidence: evidence)
        case .unreachable(_, let kind?) where kind.isTimeout:
            return Verdict(
                cause: .applicationHandshakeTimeout, confidence: Confidence.likely,
                summary:
                    "The backend does not answer the upgrade in time, direct too: find what blocks its accept path (slow start-up, blocked event loop)",
                evidence: evidence)
        default:
            return Verdict(
                cause: .inconclusive, confidence: Confidence.lead,
                summary: "No HTTP answer to the upgrade\(waitText): a cold start or a stalled backend",
                evidence: evidence, next: [.compareDirect("to tell which")])
        }
    }

    private func closedWithoutAnswer(_ context: ClassificationContext, failure: ProbeFailure) -> Verdict {
        var evidence = [
            Evidence(
                rule: RuleName.upgradeTimeout,
                observation: "the connection ended before a complete HTTP answer to the upgrade: \(failure.detail)")
        ]
        if let d = context.directEvidence { evidence.append(d) }
        if context.directOutcome == .opened {
            return Verdict(
                cause: .upgradeRejected, confidence: Confidence.plausible,
                summary:
                    "The front closes the connection instead of answering the upgrade while the backend upgrades direct: check the front's WebSocket support and its error log",
                evidence: evidence)
        }
        let scheme = context.transcript.target.isSecure ? "" : " (a ws:// request to a TLS port ends like this too)"
        return Verdict(
            cause: .inconclusive, confidence: Confidence.faintLead,
            summary: "The server closed the connection without answering the upgrade\(scheme): check its log",
            evidence: evidence, next: [.compareDirect()])
    }
}
