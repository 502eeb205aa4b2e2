/// A failed TLS handshake, by precise reason (plaintext port, untrusted chain, expired, hostname, other).
struct TLSFailureRule: ClassificationRule {
    func evaluate(_ context: ClassificationContext) -> Verdict? {
        let t = context.transcript
        guard !context.facts.opened else { return nil }
        let tlsFailed = t.tls?.failure != nil || t.failure?.stage == .tls
        guard tlsFailed else { return nil }
        if let failure = t.failure, failure.kind == .tlsConfiguration {
            return Verdict(
                cause: .inconclusive, confidence: Confidence.lead,
                summary:
                    "The client's own TLS configuration is unusable (\(failure.detail)): fix the CA or certificate files given to the probe",
                evidence: [Evidence(rule: RuleName.tlsVerification, observation: "TLS was never attempted: \(failure.detail)")])
        }
        let detail = t.tls?.failureDetail ?? t.failure?.detail
        var reason = t.tls?.failure ?? .handshakeFailure
        if reason == .handshakeFailure, Fingerprints.isPlaintextPeer(tlsDetail: detail) { reason = .plaintextPort }

        var observation = "TLS handshake with \(t.target.host):\(t.target.port) failed: \(reason.rawValue)"
        if let detail, !detail.isEmpty { observation += " (\(detail))" }
        var evidence = [Evidence(rule: RuleName.tlsVerification, observation: observation)]
        if let leaf = t.tls?.chain.first {
            let sans = leaf.subjectAlternativeNames.isEmpty ? "none" : leaf.subjectAlternativeNames.joined(separator: ", ")
            evidence.append(
                Evidence(
                    rule: RuleName.tlsVerification,
                    observation:
                        "leaf \(leaf.subject), issuer \(leaf.issuer), valid \(leaf.notBefore) – \(leaf.notAfter), SANs: \(sans); chain of \(t.tls?.chain.count ?? 0)"
                ))
        }
        if let offered = t.tls?.clientCertificate {
            evidence.append(Evidence(rule: RuleName.tlsVerification, observation: "client certificate offered: \(offered)"))
        } else if t.tls?.clientCertificateRequested == true {
            evidence.append(
                Evidence(
                    rule: RuleName.tlsVerification,
                    observation: "the server sent a CertificateRequest and no client certificate was configured"))
        }
        let host = t.target.host
        switch reason {
        case .clientCertificateRequired:
            return Verdict(
                cause: .clientCertificateRequired, confidence: Confidence.confirmed,
                summary: "\(host) requires a client certificate (mutual TLS) and none was offered",
                evidence: evidence, next: [NextStep(.offerClientCertificate)])
        case .clientCertificateRejected:
            return Verdict(
                cause: .clientCertificateRejected, confidence: Confidence.characteristic,
                summary:
                    "\(host) refused the client certificate offered: use one issued by the CA the front trusts, unexpired, for a subject it allows",
                evidence: evidence)
        case .plaintextPort:
            return Verdict(
                cause: .plaintextPort, confidence: Confidence.confirmed,
                summary: "Port \(t.target.port) does not speak TLS: use ws:// or point wss:// at the TLS listener",
                evidence: evidence)
        case .selfSigned, .unknownIssuer, .missingIntermediate:
            let fix =
                reason == .missingIntermediate
                ? "serve the full chain (leaf + intermediates) on \(host)"
                : "use a certificate from a trusted CA on \(host), or trust its CA on the client"
            return Verdict(
                cause: .untrustedChain, confidence: Confidence.confirmed,
                summary: "The server's certificate chain is not trusted (\(reason.rawValue)): \(fix)", evidence: evidence)
        case .expired, .notYetValid:
            return Verdict(
                cause: .expiredCertificate, confidence: Confidence.confirmed,
                summary: "The certificate of \(host) is \(reason == .expired ? "expired" : "not yet valid"): renew it (or fix the clock)",
                evidence: evidence)
        case .hostnameMismatch:
            return Verdict(
                cause: .hostnameMismatch, confidence: Confidence.confirmed,
                summary: "The certificate does not name \(host): issue one whose SANs include it, or connect by a name it covers",
                evidence: evidence)
        case .handshakeFailure:
            return Verdict(
                cause: .tlsHandshakeFailure, confidence: Confidence.probable,
                summary: "The TLS handshake with \(host) failed: compare the TLS versions, ciphers and SNI the server accepts",
                evidence: evidence)
        }
    }
}
