import Testing

@testable import WebSocketDiagnosis

@Suite("1002 and 1008 judged by what we sent and when")
struct CloseCodeTimingTests {
    let rule = ReceivedCloseRule()

    @Test func tomcats1002WithTheExceptionMessageRightAfterOurMessageIsAnEndpointError() {
        // Tomcat: an endpoint without @OnError that throws is closed 1006 internally, sent as 1002 with the exception's message.
        let t = Fixture.opened(frames: [outbound("text", at: 400)]).receivingClose(1002, "Cannot invoke \"String.length()\"", at: 412)
        let v = rule.evaluate(context(t))
        #expect(v?.cause == .internalErrorClose)
        #expect(v?.evidenceText.contains("well formed") == true)
    }

    @Test func a1002NamingAFramingProblemIsAProtocolErrorWithThePathSuspected() {
        let t = Fixture.opened(frames: [outbound("text", at: 400)]).receivingClose(
            1002, "Invalid WebSocket frame: RSV1 must be clear", at: 410)
        let v = rule.evaluate(context(t))
        #expect(v?.cause == .protocolError)
        #expect(v?.next.contains { $0.action == .compareDirect } == true)
        #expect((v?.confidence ?? 1) < 0.75)
    }

    @Test func a1008RightAfterAMessageLongAfterOpenIsAPolicyViolationNotAnAuthRejection() {
        let t = Fixture.opened(frames: [outbound("text", at: 60_000)]).receivingClose(1008, "", at: 60_015)
        let v = rule.evaluate(context(t))
        #expect(v?.cause == .policyViolation)
    }

    @Test func a1008RightAfterTheFirstMessageAtConnectIsStillAnAuthRejection() {
        let t = Fixture.opened(frames: [outbound("text", at: 300)]).receivingClose(1008, "", at: 320)
        #expect(rule.evaluate(context(t))?.cause == .authRejected)
    }

    @Test func a1008LongAfterOpenWithNoMessageIsAuthAtLowConfidence() {
        let v = rule.evaluate(context(Fixture.opened().receivingClose(1008, "", at: 3_600_000)))
        #expect(v?.cause == .authRejected)
        #expect((v?.confidence ?? 1) < 0.8)
    }

    @Test func a1008NamingTheOriginIsTheOriginCheck() {
        let v = rule.evaluate(context(Fixture.opened().receivingClose(1008, "Origin not allowed", at: 130)))
        #expect(v?.cause == .originRejected)
        #expect(v?.summary.contains("token will not help") == true)
    }
}
