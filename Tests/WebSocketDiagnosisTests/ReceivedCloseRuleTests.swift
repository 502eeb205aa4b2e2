import Testing

@testable import WebSocketDiagnosis

@Suite("Received close rule")
struct ReceivedCloseRuleTests {
    let rule = ReceivedCloseRule()

    /// Opened at 120, welcome at 150, our message at 400.
    var afterOneMessage: ConnectionTranscript {
        Fixture.opened(frames: [inbound("text", at: 150), outbound("text", at: 400, length: 60)])
    }

    @Test func internalErrorRightAfterOurMessageIsAnApplicationInternalErrorClose() {
        let v = rule.evaluate(context(afterOneMessage.receivingClose(1011, "Internal error", at: 412)))
        #expect(v?.cause == .internalErrorClose)
        #expect(v?.evidenceText.contains("12 ms after our message at 400 ms") == true)
        #expect((v?.confidence ?? 0) >= 0.85)
    }

    @Test func anEmpty1011ReasonIsStillAnInternalErrorClose() {
        // hypercorn ≥ 0.14.4, Python websockets, Spring: 1011 with no reason.
        let v = rule.evaluate(context(afterOneMessage.receivingClose(1011, "", at: 405)))
        #expect(v?.cause == .internalErrorClose)
    }

    @Test func keepalivePingTimeoutAfterWithheldPongsIsTheServersKeepalive() {
        // Server pings at 20 s and 40 s; we answered the first ping at 1 s then withheld; close at 45 s.
        let frames = [inbound("ping", at: 1000), outbound("pong", at: 1002), inbound("ping", at: 21_000), inbound("ping", at: 41_000)]
        let t = Fixture.opened(frames: frames).receivingClose(1011, "keepalive ping timeout", at: 31_010)
        let v = rule.evaluate(context(t))
        #expect(v?.cause == .applicationKeepaliveTimeout)
        #expect(v?.evidenceText.contains("after pongs stopped") == true)
        #expect((v?.confidence ?? 0) >= 0.9)
    }

    @Test func aKeepaliveReasonFromAnotherLibraryIsRecognised() {
        let v = rule.evaluate(context(Fixture.opened().receivingClose(1011, "Ping timeout: no pong received", at: 30_000)))
        #expect(v?.cause == .applicationKeepaliveTimeout)
    }

    @Test func serviceNotReadyIsTheApplicationNotReady() {
        let v = rule.evaluate(context(Fixture.opened().receivingClose(1011, "Service not ready: warming up", at: 130)))
        #expect(v?.cause == .notReady)
    }

    @Test func policyViolationIsAnAuthRejection() {
        #expect(rule.evaluate(context(Fixture.opened().receivingClose(1008, "Invalid token", at: 140)))?.cause == .authRejected)
        #expect(rule.evaluate(context(Fixture.opened().receivingClose(1008, "", at: 140)))?.cause == .authRejected)
    }

    @Test func an1011NamingAuthIsAnAuthRejectionFromAnAppThatMisusesTheCode() {
        #expect(
            rule.evaluate(context(Fixture.opened().receivingClose(1011, "Authentication failed: token expired", at: 140)))?.cause
                == .authRejected)
    }

    @Test func a1008WithAValidationListIsAValidationError() {
        let reason = #"[{"loc":["body","payload"],"msg":"field required","type":"value_error.missing"}]"#
        #expect(rule.evaluate(context(Fixture.opened().receivingClose(1008, reason, at: 140)))?.cause == .validationError)
    }

    @Test(arguments: [
        "Message too big", "message too big", "Max frame length of 65536 has been exceeded.", "frame exceeds limit of 1048576 bytes", "",
    ])
    func everyWordingOf1009IsMessageTooBig(reason: String) {
        let t = Fixture.opened(frames: [outbound("binary", at: 400, length: 2_000_000)]).receivingClose(1009, reason, at: 420)
        let v = rule.evaluate(context(t))
        #expect(v?.cause == .messageTooBig)
        #expect(v?.summary.contains("2000000-byte") == true)
    }

    @Test func protocolErrorCloseIsAProtocolError() {
        #expect(rule.evaluate(context(Fixture.opened().receivingClose(1002, "bad frame", at: 200)))?.cause == .protocolError)
    }

    @Test func serviceRestartIsAnApplicationRestart() {
        #expect(rule.evaluate(context(Fixture.opened().receivingClose(1012, "", at: 5000)))?.cause == .applicationRestart)
    }

    @Test func goingAwayFromTheAppIsARestartButFromCloudflareAnEdgeRestart() {
        #expect(rule.evaluate(context(Fixture.opened().receivingClose(1001, "Going away", at: 5000)))?.cause == .applicationRestart)
        let edge = rule.evaluate(context(Fixture.opened().receivingClose(1001, "CloudFlare WebSocket proxy restarting", at: 5000)))
        #expect(edge?.cause == .edgeRestart)
        #expect(edge?.layer == .infrastructure)
    }

    @Test func a1003WhenOurSubprotocolsWereIgnoredIsSubprotocolNotEchoed() {
        let t = Fixture.opened(offered: ["graphql-ws"]).receivingClose(1003, "unsupported subprotocol", at: 130)
        #expect(rule.evaluate(context(t))?.cause == .subprotocolNotEchoed)
    }

    @Test func anApplicationDefinedCodeIsACustomClose() {
        #expect(
            rule.evaluate(context(Fixture.opened().receivingClose(4001, "session replaced", at: 900)))?.cause == .applicationDefinedClose)
    }

    @Test func aNormalCloseIsNotAFailure() {
        #expect(rule.evaluate(context(Fixture.opened().receivingClose(1000, "bye", at: 900))) == nil)
    }

    @Test func thePeerEchoingOurOwnCloseIsNotThePeersDecision() {
        #expect(rule.evaluate(context(Fixture.opened().sendingClose(1011, "client gave up", at: 900, answered: true))) == nil)
    }

    @Test func aBareEndIsNotForThisRule() {
        #expect(rule.evaluate(context(Fixture.opened().endingBare(at: 5000))) == nil)
    }
}
