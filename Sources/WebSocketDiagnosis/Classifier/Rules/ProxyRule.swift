/// A failed HTTP CONNECT through a forward proxy (`--proxy`, `https_proxy`): the proxy refused the tunnel
/// (its status says why) or could not be reached. Only the transcript's `proxy` stage leads here, so a
/// proxy that opened the tunnel never takes the blame for what happened beyond it.
struct ProxyRule: ClassificationRule {
    func evaluate(_ context: ClassificationContext) -> Verdict? {
        let t = context.transcript
        guard let failure = t.failure, failure.stage == .proxy, !context.facts.opened else { return nil }
        let proxy = t.proxy
        let name = proxy.map { "\($0.proxy) (from \($0.source))" } ?? "the proxy"
        let target = proxy?.target ?? "\(t.target.host):\(t.target.port)"
        var evidence = [
            Evidence(rule: RuleName.proxyHop, observation: "CONNECT \(target) through \(name): \(failure.kind) — \(failure.detail)")
        ]
        if let server = proxy?.server {
            evidence.append(Evidence(rule: RuleName.proxyHop, observation: "the proxy identifies itself as '\(server)'"))
        }
        guard let status = proxy?.status else {
            return Verdict(
                cause: .proxyUnreachable, confidence: Confidence.characteristic,
                summary: "The proxy \(name) could not be reached or did not answer CONNECT: check the proxy address",
                evidence: evidence, next: [NextStep(.bypassProxy, "if the host is reachable directly")])
        }
        let fix: String
        var next: [NextStep] = []
        switch status {
        case 401 where proxy?.credentialsSent == true, 407 where proxy?.credentialsSent == true:
            fix = "it refused the credentials sent: check the user and password"
            next = [NextStep(.giveProxyCredentials, "(the right ones)")]
        case 401, 407:
            fix = "it wants credentials"
            next = [NextStep(.giveProxyCredentials)]
        case 403:
            fix = "its policy forbids a tunnel to \(target) (a host or port not on its allow-list): ask for \(target) to be allowed"
            next = [NextStep(.bypassProxy, "if it is reachable directly")]
        case 502, 503, 504:
            fix = "it could not reach \(target) itself: the proxy's own DNS or egress to that host fails"
        default:
            fix = "check the proxy's log for \(target)"
        }
        return Verdict(
            cause: .proxyRefused, confidence: Confidence.confirmed,
            summary: "The proxy \(name) refused the tunnel to \(target) with HTTP \(status): \(fix)",
            evidence: evidence, next: next)
    }
}
