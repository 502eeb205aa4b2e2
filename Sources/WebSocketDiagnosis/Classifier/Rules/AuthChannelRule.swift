import WebSocketWire

/// Which auth channel survives the front (docs/FAILURE_SIGNATURES.md rule 5).
///
/// A channel is stripped when the front rejects it while the backend accepts it direct and either
/// another channel survives the front, or the front's answer with the credential equals the backend's
/// own answer without one. Fires only when the main attempt was rejected the way a missing credential
/// is (401/403, 1008, an auth-worded 1011) or passed — never over an unrelated failure.
struct AuthChannelRule: ClassificationRule {
    var comparesPaths: Bool { true }

    func evaluate(_ context: ClassificationContext) -> Verdict? {
        guard let matrix = context.authChannels, !matrix.isEmpty else { return nil }
        let front = matrix.filter { $0.path == .front && $0.channel != .none }
        let direct = matrix.filter { $0.path == .direct }
        let directNone = direct.first { $0.channel == .none && !$0.accepted }
        let survivors = front.filter(\.accepted)

        let stripped = front.filter { result in
            guard !result.accepted, direct.contains(where: { $0.channel == result.channel && $0.accepted }) else { return false }
            if !survivors.isEmpty { return true }
            guard let none = directNone else { return false }
            return none.status == result.status && none.closeCode == result.closeCode
        }
        guard !stripped.isEmpty else { return nil }
        let mainAuthRejected = isAuthRejection(context)
        let closedNormally = context.facts.received.map { $0.closeCode == .normalClosure || $0.code == nil } ?? true
        let mainPassed = context.facts.opened && closedNormally && !context.facts.bareEnd
        guard mainAuthRejected || mainPassed else { return nil }

        var evidence: [Evidence] = front.map { r in
            let answer = r.status.map { "HTTP \($0)" } ?? r.closeCode.map { "close \($0)" } ?? ""
            return Evidence(
                rule: RuleName.authChannel,
                observation: "through the front, the \(r.channel.rawValue) channel was \(r.accepted ? "accepted" : "rejected") \(answer)"
                    .trimmingCharacters(in: .whitespaces))
        }
        evidence += stripped.map {
            Evidence(rule: RuleName.authChannel, observation: "direct, the \($0.channel.rawValue) channel was accepted")
        }
        if let none = directNone, survivors.isEmpty {
            let answer = none.status.map { "HTTP \($0)" } ?? none.closeCode.map { "close \($0)" } ?? "a rejection"
            evidence.append(
                Evidence(
                    rule: RuleName.authChannel,
                    observation:
                        "the backend's own answer without any credential is the same (\(answer)): the credential did not get through"))
        }
        let names = stripped.map { Self.carrier($0.channel) }.joined(separator: " and ")
        let alternative = survivors.first.map { "; the \($0.channel.rawValue) channel survives the front" } ?? ""
        let summary = "The front strips \(names) on the upgrade: forward it to the backend\(alternative)"
        let confidence =
            (survivors.isEmpty ? Confidence.strong : Confidence.confirmed) + (mainAuthRejected ? 0 : Confidence.Step.contradicted)
        return Verdict(cause: .headerStripped, confidence: confidence, summary: summary, evidence: evidence)
    }

    /// Whether the main attempt looks like a missing or refused credential.
    private func isAuthRejection(_ context: ClassificationContext) -> Bool {
        if let s = context.transcript.handshake?.status, s == 401 || s == 403 { return true }
        if let r = context.facts.received {
            if r.closeCode == .policyViolation { return true }
            if r.closeCode == .internalError, Fingerprints.isAuthFailure(reason: r.reason) { return true }
        }
        return false
    }

    private static func carrier(_ channel: AuthChannel) -> String {
        switch channel {
        case .header: "the Authorization header"
        case .subprotocol: "the Sec-WebSocket-Protocol header"
        case .query: "the token query parameter"
        case .none: "nothing"
        }
    }
}
