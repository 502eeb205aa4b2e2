/// Who refused an upgrade with 401/403, and why: the one place that decides between a WAF at the front,
/// an Origin check, a credential stripped on the way, and the application refusing the credential
/// (docs/FAILURE_SIGNATURES.md, rules 4, 5 and 7).
///
/// The decision rests on what the answer's *body* says and on whether a credential was sent — never on
/// the `Server` header alone: nginx and Cloudflare put their own name on every answer they relay, so an
/// application's 403 behind them carries a proxy's `Server` header too.
///
/// 1. The body is a WAF/edge block page (vendor fingerprints) → the front's firewall refused it.
/// 2. The body names an Origin check, or the same upgrade with an `Origin` passed → the Origin check.
/// 3. The backend answers the same direct → the application refused the credential.
/// 4. The backend upgrades direct: a credential was sent and the body is not a proxy's own error page →
///    the credential did not reach the backend (stripped); otherwise the front's access rules refused it.
/// 5. No direct run: a credential was sent → the credential was refused (or stripped: say how to tell);
///    a proxy's own error page → the front refused it; no credential → the server requires one.
struct CredentialRefusal {
    let status: Int
    let handshake: HandshakeObservation
    let context: ClassificationContext

    /// A judgement: the verdict's cause, confidence, summary, extra evidence and what to run next.
    struct Refusal {
        let cause: CauseID
        let confidence: Double
        let summary: String
        let evidence: [Evidence]
        let next: [NextStep]

        init(_ cause: CauseID, _ confidence: Double, _ summary: String, _ evidence: [Evidence], next: [NextStep] = []) {
            self.cause = cause
            self.confidence = confidence
            self.summary = summary
            self.evidence = evidence
            self.next = next
        }
    }

    /// The verdict's cause, confidence, summary, extra evidence and next steps.
    func judge() -> Refusal {
        let body = handshake.bodyPreview
        let direct = context.directOutcome
        let sentCredential = context.expectations.sentCredential

        if let vendor = Fingerprints.firewallVendor(body: body) {
            let evidence = Evidence(
                rule: RuleName.handshakeStatus,
                observation: "the \(status) body is \(vendor == "a WAF" ? "a" : vendor + "'s") block page, not the application's")
            let confirmed = direct == .opened
            return Refusal(
                .upgradeRejected, confirmed ? Confidence.strong : Confidence.suggestive,
                "A web application firewall at the front (\(vendor)) refuses the upgrade (\(status)): find the matching rule in its log and add an exception for this WebSocket path\(confirmed ? "; the backend upgrades fine direct" : "")",
                [evidence], next: confirmed ? [] : [.compareDirect("to confirm")]
            )
        }
        if let origin = originVerdict() { return origin }
        switch direct {
        case .status(let d) where [401, 403].contains(d):
            return Refusal(
                .authRejected, Confidence.confirmed,
                "The backend rejects the upgrade (\(status)) direct too: check the credential (token validity, signing secret, audience)",
                []
            )
        case .opened:
            if sentCredential, !Fingerprints.isProxyErrorPage(body: body) {
                return Refusal(
                    .headerStripped, Confidence.probable,
                    "The credential does not reach the backend through the front (direct accepts it): forward the Authorization/Sec-WebSocket-Protocol headers, or run the auth-channel matrix to see which survives",
                    [
                        Evidence(
                            rule: RuleName.authChannel,
                            observation:
                                "a credential was sent and the \(status) is no block page nor a proxy's own error page: the backend answered without the credential"
                        )
                    ]
                )
            }
            let why =
                sentCredential
                ? "the body is the proxy's own error page" : "no credential was sent, and direct the backend accepts the same upgrade"
            return Refusal(
                .upgradeRejected, Confidence.likely,
                "The front refuses the upgrade (\(status)) while the backend accepts it direct: check the front's access rules for this path",
                [Evidence(rule: RuleName.handshakeStatus, observation: "the front wrote this \(status): \(why)")]
            )
        default:
            if Fingerprints.isProxyErrorPage(body: body) {
                return Refusal(
                    .upgradeRejected, Confidence.tentative,
                    "A proxy refuses the upgrade (\(status), its own error page): check its access rules for this path",
                    [
                        Evidence(
                            rule: RuleName.handshakeStatus,
                            observation: "the \(status) body is a proxy's own error page, not the application's")
                    ],
                    next: [.compareDirect("to confirm")]
                )
            }
            if sentCredential {
                return Refusal(
                    .authRejected, Confidence.even,
                    "The upgrade was refused (\(status)) although a credential was sent: check the token, or a front stripping it",
                    [Evidence(rule: RuleName.handshakeStatus, observation: "a credential was sent and refused; the body is no block page")],
                    next: [.compareDirect("to tell which"), NextStep(.tryAuthChannels, "to see which channel survives the front")]
                )
            }
            return Refusal(
                .authRejected, Confidence.suggestive, "The server requires a credential (\(status) before the upgrade)",
                [Evidence(rule: RuleName.handshakeStatus, observation: "no credential was sent; the body is no block page")],
                next: [NextStep(.sendCredential)]
            )
        }
    }

    /// The Origin check, when the body names it or the retry with an `Origin` passed.
    private func originVerdict() -> Refusal? {
        let sentOrigin = context.transcript.request?.headers.first(named: "origin")
        let bodySays = Fingerprints.namesOriginRefusal(handshake.bodyPreview) || Fingerprints.namesOriginRefusal(handshake.reasonPhrase)
        let retry = context.originCheck
        let retryPassed = retry?.opened == true
        guard bodySays || retryPassed else { return nil }
        var evidence: [Evidence] = []
        if bodySays {
            evidence.append(Evidence(rule: RuleName.originCheck, observation: "the \(status) answer names an Origin check"))
        }
        if let retry {
            let answer = retry.opened ? "was accepted (101)" : "was refused too\(retry.status.map { " (HTTP \($0))" } ?? "")"
            evidence.append(Evidence(rule: RuleName.originCheck, observation: "the same upgrade with Origin: \(retry.origin) \(answer)"))
        }
        let allow: String
        if retryPassed, let retry, let sentOrigin, sentOrigin.lowercased() != retry.origin.lowercased() {
            allow =
                "it refuses Origin \(sentOrigin) and accepts \(retry.origin): if pages on \(sentOrigin) should connect, allow that origin in the server's Origin check (gorilla CheckOrigin, Channels AllowedHostsOriginValidator/ALLOWED_HOSTS, Jakarta checkOrigin, Spring setAllowedOrigins, Socket.IO cors.origin)"
        } else if retryPassed, let retry {
            allow =
                "the server accepts Origin \(retry.origin): clients must send an allowed Origin (browsers do); a CLI or server-side client should send it too"
        } else if let sentOrigin {
            allow =
                "allow \(sentOrigin) in the server's Origin check (gorilla CheckOrigin, Channels AllowedHostsOriginValidator/ALLOWED_HOSTS, Spring setAllowedOrigins, Socket.IO cors.origin)"
        } else {
            allow =
                "the request had no Origin header: send the page's origin or allow requests without one in the server's Origin check (gorilla CheckOrigin, Channels AllowedHostsOriginValidator, Spring setAllowedOrigins, Socket.IO cors.origin)"
        }
        let confidence = retryPassed ? Confidence.confirmed : (retry != nil ? Confidence.suggestive : Confidence.strong)
        return Refusal(
            .originRejected, confidence, "The server's Origin check refused the upgrade (\(status)); a token will not help: \(allow)",
            evidence, next: retry == nil && sentOrigin == nil ? [NextStep(.sendOrigin, "to see whether it passes")] : []
        )
    }
}
