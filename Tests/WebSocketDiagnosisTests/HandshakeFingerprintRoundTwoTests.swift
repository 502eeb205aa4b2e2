import Testing

@testable import WebSocketDiagnosis

@Suite("Handshake refusals: one 401/403 decision, Origin checks, sessions, more fronts")
struct HandshakeRefusalDecisionTests {
    let rule = HandshakeStatusRule()
    let withCredential = ProbeExpectations(profile: "echo", sentCredential: true)
    let directOK = Fixture.opened().asDirect

    // MARK: One decision for 401/403

    @Test func aCloudflareBlockPageOnlyThroughTheFrontIsTheWAF() {
        let body = "<title>Attention Required! | Cloudflare</title> Sorry, you have been blocked … Cloudflare Ray ID: 8a1b"
        let v = rule.evaluate(
            context(Fixture.rejected(403, server: "cloudflare", body: body), direct: directOK, expectations: withCredential))
        #expect(v?.cause == .upgradeRejected)
        #expect(v?.summary.contains("Cloudflare") == true)
    }

    @Test func aPlain403BehindCloudflaresServerHeaderWithACredentialIsAStrippedCredential() {
        // Cloudflare and nginx put their own Server header on the application's answer: it proves nothing.
        let v = rule.evaluate(
            context(
                Fixture.rejected(403, server: "cloudflare", body: #"{"error":"missing-token"}"#), direct: directOK,
                expectations: withCredential))
        #expect(v?.cause == .headerStripped)
    }

    @Test func withoutADirectRunAProxyServerHeaderIsNoProofOfAWAF() {
        let v = rule.evaluate(context(Fixture.rejected(403, server: "nginx", body: #"{"error":"expired"}"#), expectations: withCredential))
        #expect(v?.cause == .authRejected)
        #expect(v?.next.contains { $0.action == .compareDirect } == true)
    }

    @Test func nginxsOwn403PageIsTheFrontsRefusal() {
        let body =
            "<html><head><title>403 Forbidden</title></head><body><center><h1>403 Forbidden</h1></center><hr><center>nginx</center></body></html>"
        #expect(
            rule.evaluate(context(Fixture.rejected(403, server: "nginx", body: body), expectations: withCredential))?.cause
                == .upgradeRejected)
        #expect(
            rule.evaluate(context(Fixture.rejected(403, server: "nginx", body: body), direct: directOK, expectations: withCredential))?
                .cause
                == .upgradeRejected)
    }

    // MARK: Origin

    @Test func gorillasCheckOrigin403IsTheOriginCheckNotAMissingToken() {
        let v = rule.evaluate(context(Fixture.rejected(403, body: "websocket: request origin not allowed by Upgrader.CheckOrigin")))
        #expect(v?.cause == .originRejected)
        #expect(v?.next.contains { $0.action == .sendCredential } == false)
        #expect(v?.summary.contains("Origin") == true)
    }

    @Test func aRetryWithAnOriginThatPassesNamesTheOriginCheckEvenWithAnEmptyBody() {
        let input = ClassificationInput(
            transcript: Fixture.rejected(403), originCheck: OriginCheck(origin: "https://app.example.test", opened: true, status: 101))
        let v = FailureClassifier.classify(input)
        #expect(v.cause == .originRejected)
        #expect(v.confidence >= 0.9)
        #expect(v.summary.contains("https://app.example.test"))
    }

    @Test func aForeignOriginRefusedWhileTheTargetsOwnPassesSaysWhichOriginToAllow() {
        // gorilla's default CheckOrigin: 403 with the body "Forbidden" (http.StatusText), the reason only in its log.
        var t = Fixture.rejected(403, body: "Forbidden\n")
        t.request?.headers.append(HeaderField("Origin", "https://app.example.test"))
        let v = FailureClassifier.classify(
            ClassificationInput(transcript: t, originCheck: OriginCheck(origin: "https://api.example.test", opened: true, status: 101)))
        #expect(v.cause == .originRejected)
        #expect(v.summary.contains("refuses Origin https://app.example.test"), "\(v.summary)")
        #expect(!v.next.contains { $0.action == .sendCredential })
    }

    @Test func a400WhoseRetryWithAnOriginPassesIsTheOriginCheck() {
        let v = FailureClassifier.classify(
            ClassificationInput(
                transcript: Fixture.rejected(400, body: "Bad Request"),
                originCheck: OriginCheck(origin: "https://app.example.test", opened: true, status: 101)))
        #expect(v.cause == .originRejected, "\(v.summary)")
        let without = FailureClassifier.classify(ClassificationInput(transcript: Fixture.rejected(400, body: "Bad Request")))
        #expect(without.cause != .originRejected)
    }

    @Test func aRetryWithAnOriginRefusedTooIsNoOriginEvidence() {
        let input = ClassificationInput(
            transcript: Fixture.rejected(403), originCheck: OriginCheck(origin: "https://x.test", opened: false, status: 403))
        #expect(FailureClassifier.classify(input).cause == .authRejected)
    }

    // MARK: Plain-HTTP statuses whose body says otherwise

    @Test func engineIOSessionUnknownOnlyThroughTheFrontIsMissingSessionAffinity() {
        let t = Fixture.rejected(400, body: #"{"code":1,"message":"Session ID unknown"}"#)
        let v = rule.evaluate(context(t, direct: directOK))
        #expect(v?.cause == .noSessionAffinity)
        #expect(v?.summary.contains("sticky") == true)
    }

    @Test func pythonEngineIOsInvalidSessionIsMissingSessionAffinityToo() {
        #expect(rule.evaluate(context(Fixture.rejected(400, body: "\"Invalid session abc123\"")))?.cause == .noSessionAffinity)
    }

    @Test func aFrontOnly404WhoseBodySpeaksOfAuthIsUpgradeNotForwardedWithLessConfidence() {
        let v = rule.evaluate(context(Fixture.rejected(404, body: "unauthorized: invalid token"), direct: directOK))
        #expect(v?.cause == .upgradeNotForwarded)
        #expect((v?.confidence ?? 1) < 0.9)
        #expect(rule.evaluate(context(Fixture.rejected(404), direct: directOK))?.confidence == 0.9)
    }

    // MARK: More fronts

    @Test func envoysUpstreamConnectError503IsTheFrontNotAReadinessGuard() {
        let body = "upstream connect error or disconnect/reset before headers. reset reason: protocol error"
        let v = rule.evaluate(context(Fixture.rejected(503, server: "Google Frontend", body: body)))
        #expect(v?.cause == .upgradeRejected)
        #expect(v?.summary.contains("h2c") == true)
    }

    @Test func iis503NamesAzureAppServiceWebSocketsSetting() {
        let v = rule.evaluate(context(Fixture.rejected(503, server: "Microsoft-IIS/10.0", body: "The service is unavailable.")))
        #expect(v?.cause == .upgradeRejected)
        #expect(v?.summary.contains("Web sockets") == true)
    }

    @Test func aWsUpgradeRedirectedToTLSOnTheSameHostSaysUseWss() {
        let ws = TargetDescription(url: "ws://app.example.test/ws", scheme: "ws", host: "app.example.test", port: 80, resource: "/ws")
        let t = Fixture.rejected(301, headers: [HeaderField("Location", "https://app.example.test/ws")], target: ws)
        let v = rule.evaluate(context(t))
        #expect(v?.cause == .upgradeRejected)
        #expect(v?.summary.contains("wss://") == true)
        // Elsewhere, a redirect stays inconclusive.
        let other = Fixture.rejected(301, headers: [HeaderField("Location", "https://other.example.test/ws")], target: ws)
        #expect(rule.evaluate(context(other))?.cause == .inconclusive)
    }

    @Test func aPlainHTTPAnswerThroughCloudflareNamesTheTunnel() {
        let body =
            "Bad Request\nwebsocket: the client is not using the websocket protocol: 'upgrade' token not found in 'Connection' header"
        let v = rule.evaluate(
            context(Fixture.rejected(400, server: "cloudflare", body: body, headers: [HeaderField("CF-RAY", "8a1b-AMS")])))
        #expect(v?.cause == .upgradeNotForwarded)
        #expect(v?.evidenceText.contains("cloudflared") == true)
    }

    @Test func cloudflares52xCarryTheirDocumentedMeaning() {
        let v = rule.evaluate(context(Fixture.rejected(524, server: "cloudflare")))
        #expect(v?.evidenceText.contains("did not answer within 100 s") == true)
    }
}

@Suite("Block pages and known limits")
struct BlockPageAndKnownLimitTests {
    @Test(arguments: [
        ("Sorry, you have been blocked. Cloudflare Ray ID: 1", "Cloudflare"),
        ("Request blocked. We can't connect to the server… Generated by cloudfront (CloudFront)", "AWS WAF / CloudFront"),
        ("Access Denied. You don't have permission to access … Reference&#32;&#35;18.2", "Akamai"),
        ("The request is blocked.", "Azure Front Door / Application Gateway"),
        ("This error was generated by Mod_Security.", "ModSecurity"),
    ])
    func vendorBlockPagesNameTheirVendor(body: String, vendor: String) {
        #expect(Fingerprints.firewallVendor(body: body) == vendor)
    }

    @Test(arguments: [#"{"error":"missing-token","message":"no token"}"#, "Forbidden", "Access denied: your token has expired", ""])
    func applicationRefusalsAreNoBlockPage(body: String) {
        #expect(Fingerprints.firewallVendor(body: body) == nil)
    }

    @Test func measuredLimitsNameTheirLikelyOwner() {
        #expect(KnownLimits.matching(350_400, kind: .idle).map(\.seconds) == [350])
        #expect(KnownLimits.matching(7_200_000, kind: .lifetime).first?.owner.contains("API Gateway") == true)
        #expect(KnownLimits.matching(123_000, kind: .idle).isEmpty)
        let v = FailureClassifier.classify(ClassificationInput(transcript: Fixture.opened(openAt: 100).endingBare(at: 270_150)))
        #expect(v.cause == .idleTimeout)
        #expect(v.evidenceText.contains("Cloudflare Zero Trust"))
    }
}
