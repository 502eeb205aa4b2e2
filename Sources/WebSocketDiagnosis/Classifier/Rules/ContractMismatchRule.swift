/// The connection works, but the application does not speak the profile the probe was told to use: no
/// welcome, replies of other types, another subprotocol selection. The profile is wrong for this
/// application; neither the application nor the front is to blame.
///
/// Claims only what the runner recorded as a mismatch (``ContractObservation``) on an upgrade that got its
/// 101 and a connection the peer did not end: a close, a drop or a protocol violation is left to the rules
/// that explain those.
struct ContractMismatchRule: ClassificationRule {
    func evaluate(_ context: ClassificationContext) -> Verdict? {
        guard let contract = context.contract, let first = contract.mismatches.first else { return nil }
        let t = context.transcript
        guard t.handshake?.opensWebSocket == true else { return nil }
        // The peer ended the connection before we did: a close or a drop, which other rules explain.
        if t.close.received != nil, t.close.order != .sentFirst { return nil }
        if t.close.sent == nil, t.close.transportEnd == .eof || t.close.transportEnd == .reset { return nil }
        if t.findings.contains(where: { $0.code.rawValue.hasPrefix("frame.") }) { return nil }
        let evidence = contract.mismatches.map { m in
            let seen = m.seen.isEmpty ? "nothing" : m.seen.map { "'\($0)'" }.joined(separator: ", ")
            return Evidence(
                rule: RuleName.contract,
                observation: "profile \(contract.profile), field \(m.field): expected \(m.expected); \(m.observed); messages seen: \(seen)")
        }
        return Verdict(
            cause: .contractMismatch, confidence: Confidence.strong,
            summary:
                "The connection works but the application does not speak the '\(contract.profile)' profile (\(first.field): \(first.observed)): choose the profile of this application (ws1011 profiles) or describe its contract in a profile file (ws1011 profiles init)",
            evidence: evidence)
    }
}
