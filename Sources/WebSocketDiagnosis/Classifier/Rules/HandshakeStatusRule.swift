/// The upgrade was answered with a status other than 101: who answered, and why (docs/FAILURE_SIGNATURES.md,
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
            if let tls = Self.redirectsToTLS(h, target: context.transcript.target) {
                // Render (and other TLS-only fronts) answer ws:// with a redirect to the TLS URL.
                return verdict(
                    .upgradeRejected, Confidence.probable,
                    "The front serves WebSockets over TLS only: it redirects ws:// (\(status)) to \(tls); connect with wss:// (clients do not follow redirects)",
                    [
                        Evidence(
                            rule: RuleName.handshakeStatus, observation: "a ws:// upgrade was redirected to the same host over TLS (\(tls))"
                        )
                    ])
            }
            return verdict(
                .inconclusive, Confidence.lead,
                "The upgrade was redirected (\(status))\(location): WebSocket clients do not follow redirects; use the final URL")

        // MARK: Front-only statuses.
        case (let s, _) where Fingerprints.frontOnlyStatuses.contains(s):
            let what = s == 504 || s == 524 || s == 522 ? "timed out waiting for" : "could not get a valid answer from"
            let confidence: Double = direct == .opened ? Confidence.confirmed : Confidence.strong
            let suffix = direct == .opened ? "; the backend upgrades fine direct" : ""
            let edge =
                Self.cloudflareMeaning[s].map {
                    [Evidence(rule: RuleName.handshakeStatus, observation: "Cloudflare documents \(s) as: \($0)")]
                } ?? []
            return verdict(
                .upgradeRejected, confidence,
                "The front \(what) the backend (HTTP \(s))\(suffix): check the upstream address, health checks and the front's upstream timeout",
                edge)

        // MARK: Direct shows the same status: the backend itself.
        case (let s, _) where s == 401 || s == 403:
            let refusal = CredentialRefusal(status: s, handshake: h, context: context).judge()
            return verdict(refusal.cause, refusal.confidence, refusal.summary, refusal.evidence).advising(refusal.next)

        case (let s, .status(let d)) where d == s:
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
                .inconclusive, Confidence.lead,
                "The front answered \(s) and the backend \(d) direct: the paths disagree; check both configurations")
        }
    }

    // MARK: - Same answer direct

    private func sameAsDirect(status s: Int, h: HandshakeObservation, verdict: (CauseID, Double, String, [Evidence]) -> Verdict) -> Verdict
    {
        switch s {
        case 503:
            return verdict(
                .notReady, Confidence.characteristic,
                "The backend answers 503 direct too: it is starting or shutting down; wait for readiness or fix its health", [])
        case 500:
            return verdict(
                .handshakeError, Confidence.characteristic,
                "The backend fails before accepting the upgrade (HTTP 500, direct too): read its log for the exception in the connect handler",
                [])
        case 429:
            return verdict(
                .rateLimited, Confidence.probable,
                "The backend itself rate-limits upgrades (429 direct too): slow down reconnects or raise its limit", [])
        case 426 where h.headers.first(named: "sec-websocket-version") != nil:
            return verdict(
                .handshakeError, Confidence.strong,
                "The backend wants WebSocket version \(h.headers.first(named: "sec-websocket-version") ?? "?"): the client and server versions differ",
                [])
        default:
            return verdict(
                .handshakeError, Confidence.likely,
                "The backend rejects the upgrade with \(s) direct too: check the path, the route and the headers it requires", [])
        }
    }

    // MARK: - Only through the front

    private func frontOnly(
        status s: Int, h: HandshakeObservation, context: ClassificationContext, verdict: (CauseID, Double, String, [Evidence]) -> Verdict
    ) -> Verdict {
        switch s {
        case let s where Fingerprints.plainHTTPStatuses.contains(s) && Fingerprints.saysSessionUnknown(body: h.bodyPreview):
            return verdict(.noSessionAffinity, Confidence.characteristic, Self.stickySummary(s), [Self.stickyEvidence])
        case let s where Fingerprints.plainHTTPStatuses.contains(s) && Fingerprints.namesOriginRefusal(h.bodyPreview):
            return verdict(
                .originRejected, Confidence.strong,
                "The server's Origin check refused the upgrade (\(s)) through the front; a token will not help: allow the origin the front presents (or the page's origin) in the server's allowed origins",
                [Evidence(rule: RuleName.originCheck, observation: "the \(s) answer names an Origin check")])
        case 400 where Self.bodyNamesAStrippedHeader(h, offered: context.transcript.request):
            // A 400 that complains about a header we sent (a missing subprotocol, a missing token) while the
            // backend accepts the same request direct: the front removed that header.
            return verdict(
                .headerStripped, Confidence.strong,
                "The backend rejects the upgrade through the front because a header we sent did not arrive (\(Self.preview(h))); direct accepts it: forward Sec-WebSocket-Protocol/Authorization at the front",
                [])
        case let s where Fingerprints.plainHTTPStatuses.contains(s):
            return verdict(
                .upgradeNotForwarded, Self.bodySaysOtherwise(h) ? Confidence.suggestive : Confidence.confirmed,
                "The front does not forward the upgrade (the backend saw plain HTTP: \(s)); pass Upgrade/Connection through (nginx: proxy_http_version 1.1 and proxy_set_header Upgrade/Connection)",
                [])
        case 429:
            return verdict(
                .upgradeRejected, Confidence.characteristic,
                "The front is out of capacity (429) while the backend upgrades direct: raise max instances/concurrency or back off reconnects",
                [])
        case 503:
            return verdict(
                .upgradeRejected, Confidence.strong,
                "The front answers 503 while the backend upgrades direct: the front sees no healthy upstream; check its health checks and backend registration",
                Self.frontOf503(h))
        case 500:
            return verdict(
                .appFailureBehindFront, Confidence.suggestive,
                "The upgrade fails with 500 only through the front: the front changes the request in a way the app cannot handle (compare headers and path)",
                [])
        default:
            return verdict(
                .upgradeRejected, Confidence.suggestive,
                "The front answers \(s) while the backend upgrades direct: check the front's routing and rules for this path", [])
        }
    }

    // MARK: - Fingerprints of particular fronts

    /// What Cloudflare documents for its 52x answers (Cloudflare docs, "5xx errors").
    static let cloudflareMeaning: [Int: String] = [
        520: "the origin returned an empty, unknown or unexpected response",
        521: "the origin refused the connection",
        522: "the TCP connection to the origin timed out",
        523: "the origin is unreachable",
        524: "the origin accepted the connection but did not answer within 100 s",
        525: "the TLS handshake with the origin failed",
        526: "the origin's certificate is invalid",
        530: "an error in front of the origin (often a 1xxx error; with Cloudflare Tunnel, the tunnel is down)",
    ]

    /// The TLS URL a `ws://` upgrade was redirected to on the same host, if that is what happened.
    static func redirectsToTLS(_ h: HandshakeObservation, target: TargetDescription) -> String? {
        guard !target.isSecure, let location = h.headers.first(named: "location") else { return nil }
        let l = location.lowercased()
        guard l.hasPrefix("https://") || l.hasPrefix("wss://") else { return nil }
        let host = l.split(separator: "/", omittingEmptySubsequences: true).dropFirst().first.map {
            String($0.split(separator: ":").first ?? $0)
        }
        return host == target.host.lowercased() ? location : nil
    }

    private static let stickyEvidence = Evidence(
        rule: RuleName.handshakeStatus,
        observation:
            "the body says the session the request names is unknown here (Engine.IO: \"Session ID unknown\"): another instance holds it")

    private static func stickySummary(_ s: Int) -> String {
        "The instance that answered (\(s)) does not know this Engine.IO/Socket.IO session: several instances without session affinity; enable sticky sessions at the balancer, or connect with the websocket transport only"
    }

    /// Whether the body of a plain-HTTP-looking status speaks of something else than a missing upgrade.
    static func bodySaysOtherwise(_ h: HandshakeObservation) -> Bool {
        guard let body = h.bodyPreview?.trimmingCharacters(in: .whitespacesAndNewlines), !body.isEmpty else { return false }
        if Fingerprints.saysUpgradeRequired(body: body) { return false }
        return Fingerprints.isAuthFailure(reason: body) || Fingerprints.namesOriginRefusal(body)
            || Fingerprints.saysSessionUnknown(body: body)
    }

    private static func isIIS(_ h: HandshakeObservation) -> Bool {
        let server = (h.headers.first(named: "server") ?? "").lowercased()
        return server.contains("microsoft-iis") || h.headers.first(named: "x-powered-by")?.lowercased().contains("asp.net") == true
    }

    /// Evidence naming the component that wrote a 503, when its body or headers say.
    private static func frontOf503(_ h: HandshakeObservation) -> [Evidence] {
        if Fingerprints.isEnvoyUpstreamFailure(body: h.bodyPreview) {
            return [
                Evidence(
                    rule: RuleName.handshakeStatus,
                    observation: "the body is Envoy's own upstream failure text (Envoy, Istio, Cloud Run's front)")
            ]
        }
        if isIIS(h) {
            return [
                Evidence(
                    rule: RuleName.handshakeStatus,
                    observation: "the 503 comes from IIS (Azure App Service answers 503 when Web sockets are off)")
            ]
        }
        return []
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
                .handshakeError, Confidence.probable,
                "The server wants WebSocket version \(h.headers.first(named: "sec-websocket-version") ?? "?"): the client and server versions differ",
                [])
        case let x where x == 426 || ((x == 400 || x == 505) && Fingerprints.saysUpgradeRequired(body: body)):
            fingerprint.append(
                Evidence(
                    rule: RuleName.handshakeStatus,
                    observation: "the answer says the request was not a WebSocket upgrade: a backend saw plain HTTP"))
            if Fingerprints.isProxyServer(server),
                server?.lowercased().contains("cloudflare") == true || h.headers.first(named: "cf-ray") != nil
            {
                // cloudflared over QUIC has dropped Upgrade on the way to the origin (cloudflare/cloudflared#1652).
                fingerprint.append(
                    Evidence(
                        rule: RuleName.handshakeStatus,
                        observation:
                            "the answer came through Cloudflare: a Cloudflare Tunnel (cloudflared over QUIC) can drop Upgrade before the origin"
                    ))
            }
            return verdict(
                .upgradeNotForwarded, Confidence.plausible,
                "A server saw plain HTTP where the client sent an upgrade: make the front forward Upgrade/Connection",
                fingerprint
            ).advising(.compareDirect("to confirm"))
        case 404 where context.originCheck?.opened == true:
            // Action Cable answers an origin it does not allow with 404 "Page not found" (connection/base.rb
            // `respond_to_invalid_request`); the retry with the target's own origin passed.
            let origin = context.originCheck?.origin ?? "an Origin"
            return verdict(
                .originRejected, Confidence.strong,
                "The server's Origin check refused the upgrade (404) and accepts Origin \(origin); a token will not help: send an allowed Origin (browsers do; this probe can too), or allow it in the server's allowed origins (Action Cable: config.action_cable.allowed_request_origins)",
                [Evidence(rule: RuleName.originCheck, observation: "the same upgrade with Origin: \(origin) was accepted (101)")])
        case 404:
            return verdict(
                .inconclusive, Confidence.lead,
                "HTTP 404: either the path is wrong or a proxy dropped the upgrade headers (Starlette answers 404 to plain HTTP on a WebSocket route)",
                []
            ).advising(.compareDirect("to tell which"))
        case 400 where Fingerprints.saysSessionUnknown(body: body):
            return verdict(.noSessionAffinity, Confidence.probable, Self.stickySummary(s), [Self.stickyEvidence])
        case 400 where context.originCheck?.opened == true:
            // python-engineio answers a refused Origin with 400; the retry with an Origin passed.
            let origin = context.originCheck?.origin ?? "an Origin"
            return verdict(
                .originRejected, Confidence.characteristic,
                "The server's Origin check refused the upgrade (400) and accepts Origin \(origin); a token will not help: send an allowed Origin (browsers do; this probe can too), or allow requests without one in the server's allowed origins",
                [Evidence(rule: RuleName.originCheck, observation: "the same upgrade with Origin: \(origin) was accepted (101)")])
        case 400 where Fingerprints.namesOriginRefusal(body):
            return verdict(
                .originRejected, Confidence.probable,
                "The server's Origin check refused the upgrade (400); a token will not help: send an allowed Origin or allow this one in the server's allowed origins (Engine.IO/Socket.IO cors.origin)",
                [Evidence(rule: RuleName.originCheck, observation: "the 400 answer names an Origin check")]
            ).advising(NextStep(.sendOrigin, "to see whether an allowed one passes"))
        case 400, 200:
            return verdict(
                .handshakeError, Confidence.even,
                "The server answered \(s) instead of upgrading: check the path and the headers it requires",
                []
            ).advising(.compareDirect("to rule out the front"))
        case 429:
            return verdict(
                .upgradeRejected, Confidence.plausible,
                "Too many requests (429) at the upgrade: the front (or the service) is out of capacity; back off reconnects or raise its limits",
                [])
        case 503 where Fingerprints.isEnvoyUpstreamFailure(body: body):
            return verdict(
                .upgradeRejected, Confidence.probable,
                "Envoy (Istio, Cloud Run) could not reach or keep the upstream (503 \"upstream connect error…\"): check the backend's health and port; on Cloud Run with HTTP/2 end to end, the container must speak h2c (or turn HTTP/2 end-to-end off)",
                Self.frontOf503(h)
            ).advising(.compareDirect("to confirm"))
        case 503 where Self.isIIS(h):
            return verdict(
                .upgradeRejected, Confidence.even,
                "IIS/Azure App Service answers the upgrade 503: on App Service, turn Web sockets on (Configuration → General settings); otherwise the site is stopped or starting",
                Self.frontOf503(h)
            ).advising(.compareDirect("to confirm"))
        case 503:
            if proxyAnswered && !Fingerprints.isNotReady(reason: body ?? "") || (body ?? "").lowercased().contains("no healthy upstream") {
                fingerprint.append(
                    Evidence(rule: RuleName.handshakeStatus, observation: "the 503 comes from a proxy (server: \(server ?? "none"))"))
                return verdict(
                    .upgradeRejected, Confidence.tentative,
                    "A proxy answers 503: it has no healthy upstream; check the backend's health and registration",
                    fingerprint
                ).advising(.compareDirect("to confirm"))
            }
            return verdict(
                .notReady, Fingerprints.isNotReady(reason: body ?? "") ? Confidence.suggestive : Confidence.leaning,
                "The service answers 503: it is starting or shutting down; retry after readiness", []
            ).advising(.compareDirect("if it persists"))
        case 500:
            let bare = Fingerprints.isBareInternalServerError(body: body)
            if bare {
                fingerprint.append(
                    Evidence(
                        rule: RuleName.handshakeStatus,
                        observation: "the body is the framework's bare \"Internal Server Error\" (uvicorn: exception before accept)"))
            }
            return verdict(
                .handshakeError, bare ? Confidence.strong : Confidence.plausible,
                "The server fails before accepting the upgrade (HTTP 500): read the backend log for the exception in the connect handler",
                fingerprint)
        default:
            return verdict(
                .inconclusive, Confidence.lead, "The upgrade was answered \(s)",
                []
            ).advising(.compareDirect("to tell whether the front or the backend says so"))
        }
    }
}
