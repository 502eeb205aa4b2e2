/// DNS failure, refused, timed-out or reset connect: failures before any TLS or HTTP.
///
/// Looks at `transcript.failure` (stage `dns` or `tcp`, or a reset before any response byte).
struct NetworkFailureRule: ClassificationRule {
    func evaluate(_ context: ClassificationContext) -> Verdict? {
        let t = context.transcript
        guard let failure = t.failure, !context.facts.opened else { return nil }
        let kind = failure.kind
        let target = "\(t.target.host):\(t.target.port)"
        let at = failure.atMs.map { " after \(Describe.ms($0))" } ?? ""
        let observation = "\(failure.stage.rawValue) failed\(at): \(failure.kind) — \(failure.detail)"
        let evidence = [Evidence(rule: RuleName.networkStage, observation: observation)]

        switch failure.stage {
        case .dns:
            return Verdict(
                cause: .dnsFailure, confidence: Confidence.certain,
                summary: "Host name \(t.target.host) did not resolve: check the name and the resolver (DNS record, /etc/hosts, VPN)",
                evidence: evidence)
        case .tcp:
            if kind == .connectionRefused {
                return Verdict(
                    cause: .connectionRefused, confidence: Confidence.certain,
                    summary: "Nothing accepts connections on \(target): start the server or fix the port",
                    evidence: evidence)
            }
            if kind.isTimeout {
                return Verdict(
                    cause: .connectTimeout, confidence: Confidence.characteristic,
                    summary: "TCP connect to \(target) timed out: a firewall or security group drops the SYN, or the host is down",
                    evidence: evidence)
            }
            if kind == .reset {
                return reset(target: target, evidence: evidence)
            }
            return Verdict(
                cause: .connectFailure, confidence: Confidence.probable,
                summary: "TCP connect to \(target) failed (\(failure.kind)): check routing and firewalls to the host",
                evidence: evidence)
        case .upgrade where kind == .reset && t.timings.firstResponseByteAtMs == nil:
            return reset(target: target, evidence: evidence)
        default:
            return nil
        }
    }

    private func reset(target: String, evidence: [Evidence]) -> Verdict {
        Verdict(
            cause: .networkReset, confidence: Confidence.strong,
            summary:
                "The connection to \(target) was reset before any HTTP answer: check firewalls, proxies and the listener's accept limits",
            evidence: evidence)
    }
}
