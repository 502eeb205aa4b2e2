import Testing

@testable import WebSocketDiagnosis

@Suite("Handshake status rule")
struct HandshakeStatusRuleTests {
    let rule = HandshakeStatusRule()
    let directOK = Fixture.opened().asDirect
    let withCredential = ProbeExpectations(profile: "reference", sentCredential: true)

    // MARK: Upgrade not forwarded

    @Test(arguments: [404, 426, 400])
    func plainHTTPStatusThroughTheFrontWhileDirectUpgradesIsUpgradeNotForwarded(status: Int) {
        let v = rule.evaluate(context(Fixture.rejected(status), direct: directOK))
        #expect(v?.cause == .upgradeNotForwarded)
        #expect((v?.confidence ?? 0) >= 0.85)
    }

    @Test func status426WithoutADirectRunIsUpgradeNotForwardedWithLowerConfidence() {
        let v = rule.evaluate(context(Fixture.rejected(426, "Upgrade Required", body: "Upgrade Required")))
        #expect(v?.cause == .upgradeNotForwarded)
        #expect((v?.confidence ?? 1) < 0.8)
    }

    @Test func gorillaStyle400BodyWithoutADirectRunIsUpgradeNotForwarded() {
        let body =
            "Bad Request\nwebsocket: the client is not using the websocket protocol: 'upgrade' token not found in 'Connection' header"
        #expect(rule.evaluate(context(Fixture.rejected(400, body: body)))?.cause == .upgradeNotForwarded)
    }

    @Test func status400WithAnApplicationBodyIsNotUpgradeNotForwarded() {
        let v = rule.evaluate(context(Fixture.rejected(400, body: "{\"code\":3,\"message\":\"Bad request\"}")))
        #expect(v?.cause == .handshakeError)
    }

    @Test func status426WithAVersionHeaderIsAVersionMismatchNotAStrippedUpgrade() {
        let t = Fixture.rejected(426, headers: [HeaderField("Sec-WebSocket-Version", "8")])
        #expect(rule.evaluate(context(t))?.cause == .handshakeError)
    }

    @Test func status404WithoutADirectRunIsInconclusive() {
        #expect(rule.evaluate(context(Fixture.rejected(404)))?.layer == .inconclusive)
    }

    @Test func samePlainHTTPStatusDirectIsTheBackendsOwnAnswer() {
        let v = rule.evaluate(context(Fixture.rejected(404), direct: Fixture.rejected(404).asDirect))
        #expect(v?.cause == .handshakeError)
    }

    // MARK: 403

    @Test func status403BothWaysIsTheApplicationRejectingTheCredential() {
        let v = rule.evaluate(context(Fixture.rejected(403), direct: Fixture.rejected(403).asDirect, expectations: withCredential))
        #expect(v?.cause == .authRejected)
        #expect((v?.confidence ?? 0) >= 0.85)
    }

    @Test func status403OnlyThroughTheFrontWithoutACredentialIsTheFrontRefusingTheUpgrade() {
        let v = rule.evaluate(context(Fixture.rejected(403, server: "cloudflare"), direct: directOK))
        #expect(v?.cause == .upgradeRejected)
    }

    @Test func status403FromTheBackendsOwnServerThroughTheFrontIsAStrippedCredential() {
        var direct = directOK
        direct.handshake?.headers = [HeaderField("Server", "uvicorn")]
        let v = rule.evaluate(context(Fixture.rejected(403, server: "uvicorn"), direct: direct, expectations: withCredential))
        #expect(v?.cause == .headerStripped)
    }

    @Test func status403WithoutADirectRunAndNoCredentialIsAuthRejectedWithModestConfidence() {
        let v = rule.evaluate(context(Fixture.rejected(403, server: "uvicorn")))
        #expect(v?.cause == .authRejected)
        #expect((v?.confidence ?? 1) <= 0.6)
    }

    @Test func status403WithoutADirectRunWithABlockPageIsTheFrontWithModestConfidence() {
        let v = rule.evaluate(
            context(Fixture.rejected(403, server: "cloudflare", body: "Attention Required! | Cloudflare"), expectations: withCredential))
        #expect(v?.cause == .upgradeRejected)
        #expect((v?.confidence ?? 1) <= 0.6)
    }

    // MARK: Front statuses

    @Test(arguments: [502, 504, 522, 524])
    func gatewayStatusesAreTheFrontsEvenWithoutADirectRun(status: Int) {
        let v = rule.evaluate(context(Fixture.rejected(status, server: "nginx")))
        #expect(v?.cause == .upgradeRejected)
        #expect(v?.layer == .infrastructure)
    }

    @Test func status429IsTheFrontOutOfCapacity() {
        #expect(rule.evaluate(context(Fixture.rejected(429)))?.cause == .upgradeRejected)
        #expect(rule.evaluate(context(Fixture.rejected(429), direct: directOK))?.cause == .upgradeRejected)
    }

    @Test func status429DirectTooIsTheBackendsRateLimit() {
        #expect(rule.evaluate(context(Fixture.rejected(429), direct: Fixture.rejected(429).asDirect))?.cause == .rateLimited)
    }

    // MARK: 503 and 500

    @Test func status503DirectTooIsTheApplicationNotReady() {
        #expect(rule.evaluate(context(Fixture.rejected(503), direct: Fixture.rejected(503).asDirect))?.cause == .notReady)
    }

    @Test func status503OnlyThroughTheFrontIsTheFrontRejecting() {
        #expect(rule.evaluate(context(Fixture.rejected(503), direct: directOK))?.cause == .upgradeRejected)
    }

    @Test func status503FromAProxyWithoutADirectRunIsTheFront() {
        let v = rule.evaluate(context(Fixture.rejected(503, server: "envoy", body: "no healthy upstream")))
        #expect(v?.cause == .upgradeRejected)
    }

    @Test func status503SayingNotReadyWithoutADirectRunIsTheApplicationNotReady() {
        let v = rule.evaluate(context(Fixture.rejected(503, server: "uvicorn", body: "Service not ready")))
        #expect(v?.cause == .notReady)
    }

    @Test func uvicornStyle500IsAPreAcceptHandshakeError() {
        let v = rule.evaluate(context(Fixture.rejected(500, "Internal Server Error", body: "Internal Server Error")))
        #expect(v?.cause == .handshakeError)
        #expect((v?.confidence ?? 0) >= 0.8)
    }

    @Test func status500OnlyThroughTheFrontIsAnIntegrationFailure() {
        #expect(rule.evaluate(context(Fixture.rejected(500), direct: directOK))?.cause == .appFailureBehindFront)
    }

    @Test func aSuccessfulUpgradeIsNotForThisRule() {
        #expect(rule.evaluate(context(Fixture.opened())) == nil)
    }

    @Test func evidenceQuotesTheStatusServerAndBody() {
        let v = rule.evaluate(context(Fixture.rejected(502, "Bad Gateway", server: "nginx/1.25", body: "<html>502 Bad Gateway</html>")))
        #expect(v?.evidenceText.contains("HTTP 502 Bad Gateway") == true)
        #expect(v?.evidenceText.contains("nginx/1.25") == true)
    }
}
