/// The upgrade was answered with a status other than 101: who answered, and why (FAILURE_SIGNATURES
/// rules 4 and 7).
///
/// With a direct run, the comparison decides the layer: the backend upgrades direct → the front
/// changed or refused the request; the backend answers the same → the application. Without one, only
/// statuses that are the front's by nature (502, 504, 52x, 429) or bodies that fingerprint their
/// source give a verdict, with lower confidence; the rest is inconclusive.
struct HandshakeStatusRule: ClassificationRule {
    var comparesPaths: Bool { true }

    func evaluate(_ context: ClassificationContext) -> Verdict? {
        guard !context.facts.opened, let h = context.transcript.handshake, let status = h.status, status != 101 else { return nil }
        var evidence = [
            Evidence(rule: RuleName.handshakeStatus, observation: "the upgrade was answered \(Describe.httpAnswer(h)) instead of 101")
        ]
        if let d = context.directEvidence { evidence.append(d) }
        let direct = context.directOutcome

        func verdict(_ cause: CauseID, _ confidence: Double, _ summary: String, _ more: [Evidence] = []) -> Verdict {
            Verdict(cause: cause, confidence: confidence, summary: summary, evidence: evidence + more)
        }

        switch (status, direct) {
        // MARK: Redirects: the URL is not the endpoint.
        case (300..<400, _):
            let location = h.headers.first(named: "location").map { " to \($0)" } ?? ""
            return verdict(
                .inconclusive, 0.3,
                "The upgrade was redirected (\(status))\(location): WebSocket clients do not follow redirects; use the final URL")

        // MARK: Front-only statuses.
        case (let s, _) where Fingerprints.frontOnlyStatuses.contains(s):
            let what = s == 504 || s == 524 || s == 522 ? "timed out waiting for" : "could not get a valid answer from"
            let confidence: Double = direct == .opened ? 0.9 : 0.8
            let suffix = direct == .opened ? "; the backend upgrades fine direct" : ""
            return verdict(
                .upgradeRejected, confidence,
                "The front \(what) the backend (HTTP \(s))\(suffix): check the upstream address, health checks and the front's upstream timeout"
            )

        // MARK: Direct shows the same status: the backend itself.
        case (let s, .status(let d)) where d == s || (Set([401, 403]).contains(s) && Set([401, 403]).contains(d)):
            return sameAsDirect(status: s, h: h, verdict: verdict)

        // MARK: Direct upgrades: the front refused or changed the request.
        case (let s, .opened):
            return frontOnly(status: s, h: h, context: context, verdict: verdict)

        // MARK: No usable direct run.
        case (let s, .absent), (let s, .unreachable):
            return withoutDirect(status: s, h: h, context: context, verdict: verdict)

        // MARK: Direct failed differently.
        case (let s, .status(let d)):
            return verdict(
                .inconclusive, 0.3, "The front answered \(s) and the backend \(d) direct: the paths disagree; check both configurations")
        }
    }

    // MARK: - Same answer direct

    private func sameAsDirect(status s: Int, h: HandshakeObservation, verdict: (CauseID, Double, String, [Evidence]) -> Verdict) -> Verdict
    {
        switch s {
        case 401, 403:
            return verdict(
                .authRejected, 0.9,
                "The backend rejects the upgrade (\(s)) direct too: check the credential (token validity, signing secret, audience) and origin checks",
                [])
        case 503:
            return verdict(
                .notReady, 0.85,
                "The backend answers 503 direct too: it is starting or shutting down; wait for readiness or fix its health", [])
        case 500:
            return verdict(
                .handshakeError, 0.85,
                "The backend fails before accepting the upgrade (HTTP 500, direct too): read its log for the exception in the connect handler",
                [])
        case 429:
            return verdict(
                .rateLimited, 0.7, "The backend itself rate-limits upgrades (429 direct too): slow down reconnects or raise its limit", [])
        case 426 where h.headers.first(named: "sec-websocket-version") != nil:
            return verdict(
                .handshakeError, 0.8,
                "The backend wants WebSocket version \(h.headers.first(named: "sec-websocket-version") ?? "?"): the client and server versions differ",
                [])
        default:
            return verdict(
                .handshakeError, 0.75,
                "The backend rejects the upgrade with \(s) direct too: check the path, the route and the headers it requires", [])
        }
    }

    // MARK: - Only through the front

    private func frontOnly(
        status s: Int, h: HandshakeObservation, context: ClassificationContext, verdict: (CauseID, Double, String, [Evidence]) -> Verdict
    ) -> Verdict {
        switch s {
        case 400 where Self.bodyNamesAStrippedHeader(h, offered: context.transcript.request):
            // A 400 that complains about a header we sent (a missing subprotocol, a missing token) while the
            // backend accepts the same request direct: the front removed that header.
            return verdict(
                .headerStripped, 0.8,
                "The backend rejects the upgrade through the front because a header we sent did not arrive (\(Self.preview(h))); direct accepts it: forward Sec-WebSocket-Protocol/Authorization at the front",
                [])
        case let s where Fingerprints.plainHTTPStatuses.contains(s):
            return verdict(
                .upgradeNotForwarded, 0.9,
                "The front does not forward the upgrade (the backend saw plain HTTP: \(s)); pass Upgrade/Connection through (nginx: proxy_http_version 1.1 and proxy_set_header Upgrade/Connection)",
                [])
        case 401, 403:
            // The backend's own Server header on the rejection means the backend answered: it did not get the credential.
            let frontServer = h.headers.first(named: "server")
            let backendServer = context.direct?.handshake?.headers.first(named: "server")
            if context.expectations.sentCredential, let frontServer, let backendServer, frontServer == backendServer,
                !Fingerprints.isProxyServer(frontServer)
            {
                let more = [
                    Evidence(
                        rule: RuleName.authChannel,
                        observation:
                            "the \(s) carries the backend's own server header (\(frontServer)) although a credential was sent: the backend did not receive it"
                    )
                ]
                return verdict(
                    .headerStripped, 0.7,
                    "The credential does not reach the backend through the front (direct accepts it): forward the Authorization/Sec-WebSocket-Protocol headers, or run the auth-channel matrix to see which survives",
                    more)
            }
            return verdict(
                .upgradeRejected, 0.75,
                "The front refuses the upgrade (\(s)) while the backend accepts it direct: check the WAF/access rules and origin policy at the front",
                [])
        case 429:
            return verdict(
                .upgradeRejected, 0.85,
                "The front is out of capacity (429) while the backend upgrades direct: raise max instances/concurrency or back off reconnects",
                [])
        case 503:
            return verdict(
                .upgradeRejected, 0.8,
                "The front answers 503 while the backend upgrades direct: the front sees no healthy upstream; check its health checks and backend registration",
                [])
        case 500:
            return verdict(
                .appFailureBehindFront, 0.6,
                "The upgrade fails with 500 only through the front: the front changes the request in a way the app cannot handle (compare headers and path)",
                [])
        default:
            return verdict(
                .upgradeRejected, 0.6,
                "The front answers \(s) while the backend upgrades direct: check the front's routing and rules for this path", [])
        }
    }

    /// Whether a rejection body names a header the request carried (subprotocol, Authorization, token).
    static func bodyNamesAStrippedHeader(_ h: HandshakeObservation, offered request: HandshakeRequest?) -> Bool {
        guard let body = h.bodyPreview?.lowercased(), let request else { return false }
        if !request.offeredSubprotocols.isEmpty, body.contains("subprotocol") || body.contains("sec-websocket-protocol") {
            return true
        }
        let sentAuthorization = request.headers.first(named: "authorization") != nil
        return sentAuthorization && (body.contains("authorization") || body.contains("missing token") || body.contains("no token"))
    }

    private static func preview(_ h: HandshakeObservation) -> String {
        let body = (h.bodyPreview ?? "").trimmingCharacters(in: .whitespacesAndNewlines)
        return "HTTP \(h.status ?? 0): " + (body.count > 80 ? String(body.prefix(80)) + "…" : body)
    }

    // MARK: - No direct run

    private func withoutDirect(
        status s: Int, h: HandshakeObservation, context: ClassificationContext, verdict: (CauseID, Double, String, [Evidence]) -> Verdict
    ) -> Verdict {
        let server = h.headers.first(named: "server")
        let body = h.bodyPreview
        let proxyAnswered = Fingerprints.isProxyServer(server)
        var fingerprint: [Evidence] = []
        switch s {
        case 426 where h.headers.first(named: "sec-websocket-version") != nil:
            return verdict(
                .handshakeError, 0.7,
                "The server wants WebSocket version \(h.headers.first(named: "sec-websocket-version") ?? "?"): the client and server versions differ",
                [])
        case let x where x == 426 || ((x == 400 || x == 505) && Fingerprints.saysUpgradeRequired(body: body)):
            fingerprint.append(
                Evidence(
                    rule: RuleName.handshakeStatus,
                    observation: "the answer says the request was not a WebSocket upgrade: a backend saw plain HTTP"))
            return verdict(
                .upgradeNotForwarded, 0.65,
                "A server saw plain HTTP where the client sent an upgrade: make the front forward Upgrade/Connection (confirm with --direct)",
                fingerprint)
        case 404:
            return verdict(
                .inconclusive, 0.3,
                "HTTP 404: either the path is wrong or a proxy dropped the upgrade headers (Starlette answers 404 to plain HTTP on a WebSocket route); rerun with --direct",
                [])
        case 400, 200:
            return verdict(
                .handshakeError, 0.5,
                "The server answered \(s) instead of upgrading: check the path and the headers it requires (rerun with --direct to rule out the front)",
                [])
        case 401, 403:
            if Fingerprints.looksLikeFirewallBlock(body: body) || (proxyAnswered && context.expectations.sentCredential) {
                fingerprint.append(
                    Evidence(
                        rule: RuleName.handshakeStatus,
                        observation:
                            "the \(s) looks like the front's (server: \(server ?? "none"); body \(Fingerprints.looksLikeFirewallBlock(body: body) ? "is a block page" : "is not the app's"))"
                    ))
                return verdict(
                    .upgradeRejected, 0.55,
                    "A front (WAF or access policy) seems to refuse the upgrade (\(s)); check its rules — rerun with --direct to confirm",
                    fingerprint)
            }
            let credential =
                context.expectations.sentCredential
                ? "a credential was sent and refused" : "no credential was sent"
            fingerprint.append(
                Evidence(rule: RuleName.handshakeStatus, observation: "\(credential); nothing in the answer points at a proxy"))
            let summary =
                credential.hasPrefix("no")
                ? "The server requires a credential (\(s) before the upgrade): send a token (e.g. --token)"
                : "The upgrade was refused (\(s)) although a credential was sent: check the token, or a front stripping it (rerun with --direct)"
            return verdict(.authRejected, credential.hasPrefix("no") ? 0.6 : 0.5, summary, fingerprint)
        case 429:
            return verdict(
                .upgradeRejected, 0.65,
                "Too many requests (429) at the upgrade: the front (or the service) is out of capacity; back off reconnects or raise its limits",
                [])
        case 503:
            if proxyAnswered && !Fingerprints.isNotReady(reason: body ?? "") || (body ?? "").lowercased().contains("no healthy upstream") {
                fingerprint.append(
                    Evidence(rule: RuleName.handshakeStatus, observation: "the 503 comes from a proxy (server: \(server ?? "none"))"))
                return verdict(
                    .upgradeRejected, 0.55,
                    "A proxy answers 503: it has no healthy upstream; check the backend's health and registration (confirm with --direct)",
                    fingerprint)
            }
            return verdict(
                .notReady, Fingerprints.isNotReady(reason: body ?? "") ? 0.6 : 0.45,
                "The service answers 503: it is starting or shutting down; retry after readiness (rerun with --direct if it persists)", [])
        case 500:
            let bare = Fingerprints.isBareInternalServerError(body: body)
            if bare {
                fingerprint.append(
                    Evidence(
                        rule: RuleName.handshakeStatus,
                        observation: "the body is the framework's bare \"Internal Server Error\" (uvicorn: exception before accept)"))
            }
            return verdict(
                .handshakeError, bare ? 0.8 : 0.65,
                "The server fails before accepting the upgrade (HTTP 500): read the backend log for the exception in the connect handler",
                fingerprint)
        default:
            return verdict(
                .inconclusive, 0.3, "The upgrade was answered \(s): rerun with --direct to tell whether the front or the backend says so",
                [])
        }
    }
}
