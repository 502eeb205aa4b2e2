import WebSocketWire

/// We sent 1011 after our pings got no pong, and no close frame came back (docs/FAILURE_SIGNATURES.md rule 2:
/// sent-only is our keepalive giving up; received 1011 would be the peer's decision).
struct ClientKeepaliveRule: ClassificationRule {
    func evaluate(_ context: ClassificationContext) -> Verdict? {
        let f = context.facts
        let finding = context.transcript.findings.first { $0.code == .keepaliveTimeout }
        guard f.opened, f.received == nil || context.transcript.close.order == .sentFirst else { return nil }
        guard let sent = f.sent, sent.closeCode == .internalError || finding != nil else { return nil }
        guard finding != nil || !f.unansweredOwnPings.isEmpty else { return nil }

        var evidence = [
            Evidence(
                rule: RuleName.sentVersusReceived,
                observation:
                    "we sent \(Describe.close(code: sent.code, reason: sent.reason)) at \(Describe.ms(sent.atMs)); \(f.received == nil ? "no close frame was received" : "the peer answered our close")"
            )
        ]
        let unanswered = f.unansweredOwnPings
        if let first = unanswered.first {
            let last = f.lastOwnPongAtMs.map { "last pong at \(Describe.ms($0))" } ?? "no pong ever"
            evidence.append(
                Evidence(
                    rule: RuleName.timingKeepalive,
                    observation:
                        "\(unanswered.count) of our \(context.transcript.pings.count) pings got no pong, the first sent at \(Describe.ms(first.sentAtMs)), \(Describe.ms(sent.atMs - first.sentAtMs)) before we gave up; \(last)"
                ))
        }
        if let finding { evidence.append(Evidence(rule: RuleName.timingKeepalive, observation: "\(finding.code): \(finding.detail)")) }
        let silent = f.sinceLastInboundMs.map { " (nothing received for \(Describe.seconds($0)))" } ?? ""
        return Verdict(
            cause: .clientKeepaliveTimeout, confidence: f.received == nil ? Confidence.strong : Confidence.suggestive,
            summary:
                "Our pings got no pong, so we closed with 1011\(silent): the path or the peer went silent — check that proxies forward ping/pong and the server's event loop is not blocked",
            evidence: evidence)
    }
}
