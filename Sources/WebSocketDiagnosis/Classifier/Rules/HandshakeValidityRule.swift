/// A 101 (or an unparsable answer) that breaks RFC 6455 §4.1: bad or missing accept key, missing
/// `Upgrade`/`Connection`, a subprotocol or extension we never offered, no subprotocol echoed.
struct HandshakeValidityRule: ClassificationRule {
    static let headerFaults: [FindingCode] = [.badAcceptKey, .missingAcceptKey, .missingUpgradeHeader, .missingConnectionHeader]
    static let negotiationFaults: [FindingCode] = [.unexpectedSubprotocol, .unexpectedExtension]
    static let responseFaults: [FindingCode] = [.malformedResponse, .oversizedHead, .garbageAfterUpgrade]

    func evaluate(_ context: ClassificationContext) -> Verdict? {
        let t = context.transcript
        let findings = t.findings
        func evidence(_ codes: [FindingCode]) -> [Evidence] {
            findings.filter { codes.contains($0.code) }.map {
                Evidence(rule: RuleName.handshakeValidity, observation: "\($0.code): \($0.detail)")
            }
        }

        let notEchoed =
            findings.contains { $0.code == .subprotocolNotEchoed }
            || (t.handshake?.opensWebSocket == true && !(t.request?.offeredSubprotocols.isEmpty ?? true) && t.handshake?.subprotocol == nil)
        if notEchoed {
            let offered = t.request?.offeredSubprotocols.joined(separator: ", ") ?? "?"
            var ev = evidence([.subprotocolNotEchoed])
            if ev.isEmpty {
                ev = [Evidence(rule: RuleName.handshakeValidity, observation: "offered subprotocols [\(offered)], the 101 selected none")]
            }
            return Verdict(
                cause: .subprotocolNotEchoed, confidence: Confidence.characteristic,
                summary:
                    "The server selected none of the offered subprotocols (\(offered)), so the client must fail the connection: make the server echo one (e.g. jwt-auth)",
                evidence: ev)
        }
        var ev = evidence(Self.headerFaults)
        if t.handshake?.acceptValid == false, !findings.contains(where: { $0.code == .badAcceptKey }) {
            ev.append(Evidence(rule: RuleName.handshakeValidity, observation: "Sec-WebSocket-Accept does not match the key we sent"))
        }
        if !ev.isEmpty {
            return Verdict(
                cause: .handshakeError, confidence: Confidence.strong,
                summary:
                    "The 101 answer is not a valid WebSocket handshake (\(ev.map(\.observation).first ?? "")): fix the server's upgrade code or whatever rewrites the response",
                evidence: ev)
        }
        ev = evidence(Self.negotiationFaults)
        if !ev.isEmpty {
            return Verdict(
                cause: .handshakeError, confidence: Confidence.likely,
                summary:
                    "The server selected something the client never offered: it must only pick from the offered subprotocols/extensions",
                evidence: ev)
        }
        ev = evidence(Self.responseFaults)
        if !ev.isEmpty, !context.facts.opened || findings.contains(where: { $0.code == .garbageAfterUpgrade }) {
            return Verdict(
                cause: .handshakeError, confidence: Confidence.suggestive,
                summary:
                    "The answer to the upgrade is not valid HTTP/WebSocket: check what listens on \(t.target.host):\(t.target.port) (wrong port, TLS mismatch, broken proxy)",
                evidence: ev)
        }
        return nil
    }
}
