import Foundation
import Testing

@testable import WebSocketDiagnosis

@Suite("Unrequested close rule")
struct UnrequestedCloseRuleTests {
    let rule = UnrequestedCloseRule()

    /// Opened at 100; the server pings once a second from 1100 and we answer none of them (pongs withheld).
    func withheldPings(until end: Double) -> [FrameRecord] {
        stride(from: 1100.0, to: end, by: 1000).map { inbound("ping", at: $0, length: 4) }
    }

    // MARK: Keepalive

    @Test func tornados1000PingTimedOutAfterWithheldPongsIsTheServersKeepalive() {
        // Tornado closes with reason "ping timed out", which it sends as 1000.
        let t = Fixture.opened(openAt: 100, frames: withheldPings(until: 2100)).receivingClose(1000, "ping timed out", at: 2110)
        let v = rule.evaluate(context(t))
        #expect(v?.cause == .applicationKeepaliveTimeout)
        #expect(v?.evidenceText.contains("pings every 1.0 s") == true, "the interval is learned from the pings: \(v?.evidenceText ?? "")")
        #expect((v?.confidence ?? 0) >= 0.85, "with every ping unanswered the keepalive is the hypothesis under test")
    }

    @Test func aBare1011SecondsAfterAnUnansweredPingAtAOneSecondIntervalIsTheKeepaliveNotAnInternalError() {
        let t = Fixture.opened(openAt: 100, frames: withheldPings(until: 2100)).receivingClose(1011, "", at: 2120)
        #expect(rule.evaluate(context(t))?.cause == .applicationKeepaliveTimeout)
        #expect(FailureClassifier.classify(ClassificationInput(transcript: t)).cause == .applicationKeepaliveTimeout)
    }

    @Test func a1011RightAfterOurMessageStaysAnInternalErrorEvenWithUnansweredPings() {
        let frames = withheldPings(until: 2100) + [outbound("text", at: 2000)]
        let t = Fixture.opened(openAt: 100, frames: frames).receivingClose(1011, "", at: 2010)
        #expect(rule.evaluate(context(t)) == nil)
        #expect(FailureClassifier.classify(ClassificationInput(transcript: t)).cause == .internalErrorClose)
    }

    @Test func answeredPingsAreNoKeepalive() {
        let frames = [inbound("ping", at: 1100), outbound("pong", at: 1101)]
        let t = Fixture.opened(openAt: 100, frames: frames).receivingClose(1000, "", at: 2110)
        #expect(rule.evaluate(context(t))?.cause == .unrequestedClose)
    }

    // MARK: The timeout probes

    /// A probe transcript the server closed first with `code` `age` ms after its open at 100.
    func probeClosed(_ code: Int?, _ reason: String = "", age: Double, pinged: Bool, startedAt: Date? = nil) -> ConnectionTranscript {
        let p = pinged ? pingsEvery(1000, from: 1100, to: 100 + age - 1) : (frames: [], pings: [])
        var t = Fixture.opened(openAt: 100, frames: p.frames, pings: p.pings).receivingClose(code, reason, at: 100 + age)
        t.startedAt = startedAt
        return t
    }

    @Test func a1000AtThePingedProbesAgeIsTheApplicationsOwnConnectionCap() {
        // Daphne closes 1000 websocket_timeout seconds after the open, whatever the traffic.
        let main = Fixture.opened(openAt: 100, frames: [outbound("text", at: 5000), inbound("text", at: 5010)])
            .receivingClose(1000, "", at: 10_130)
        let m = Measurements(
            idleTimeoutMs: 10_000, lifetimeMs: 10_000, idleProbeMs: 20_000, lifetimeProbeMs: 20_000,
            idleTranscript: probeClosed(1000, age: 10_000, pinged: false), lifetimeTranscript: probeClosed(1000, age: 10_000, pinged: true))
        let v = rule.evaluate(context(main, measurements: m))
        #expect(v?.cause == .applicationConnectionCap)
        #expect(v?.layer == .application)
        #expect(v?.summary.contains("10 s") == true)
    }

    @Test func a1000AfterTheSilentProbesSilenceWhileThePingedProbeLivedIsTheApplicationsIdleTimeout() {
        // The main connection sent its last message at 2000 and was closed 8 s later; the silent probe was closed after 8 s.
        let main = Fixture.opened(openAt: 100, frames: [outbound("text", at: 2000), inbound("text", at: 2010)])
            .receivingClose(1000, "", at: 10_010)
        let m = Measurements(
            idleTimeoutMs: 8000, lifetimeMs: nil, idleProbeMs: 20_000, lifetimeProbeMs: 20_000,
            idleTranscript: probeClosed(1000, age: 8000, pinged: false))
        let v = rule.evaluate(context(main, measurements: m))
        #expect(v?.cause == .applicationIdleTimeout)
        #expect(v?.evidenceText.contains("lived its full 20000 ms") == true)
    }

    @Test func closesAtTheSameInstantAtDifferentAgesAreARestartNotACap() {
        let start = Date(timeIntervalSince1970: 1_800_000_000)
        var main = Fixture.opened(openAt: 100).receivingClose(1001, "", at: 12_100)
        main.startedAt = start
        // The pinged probe started 4 s later and was closed at the same wall-clock instant, 8 s after its open.
        let probe = probeClosed(1001, age: 8000, pinged: true, startedAt: start.addingTimeInterval(4))
        let m = Measurements(lifetimeMs: 8000, lifetimeProbeMs: 20_000, lifetimeTranscript: probe)
        let v = rule.evaluate(context(main, measurements: m))
        #expect(v?.cause == .applicationRestart)
        #expect(v?.evidenceText.contains("same instant") == true)
    }

    @Test func aPingedProbeThatOutlivedTheCloseContradictsACap() {
        let main = Fixture.opened(openAt: 100).receivingClose(1000, "", at: 10_100)
        let m = Measurements(lifetimeMs: nil, lifetimeProbeMs: 20_000)
        let v = rule.evaluate(context(main, measurements: m))
        #expect(v?.cause == .unrequestedClose)
        #expect(v?.next.contains { $0.action == .measureTimeouts } == false, "the probes ran; the verdict does not ask for them again")
    }

    @Test func aShortDirectRunDoesNotTurnTheServersCapIntoAFrontOnlyFailure() {
        let main = Fixture.opened(openAt: 100).receivingClose(1000, "", at: 10_130)
        let m = Measurements(lifetimeMs: 10_000, lifetimeProbeMs: 20_000, lifetimeTranscript: probeClosed(1000, age: 10_000, pinged: true))
        let direct = Fixture.opened().asDirect.sendingClose(1000, at: 900, answered: true)
        let v = FailureClassifier.classify(ClassificationInput(transcript: main, direct: direct, measurements: m))
        #expect(v.cause == .applicationConnectionCap)
        #expect(v.evidenceText.contains("no comparison"))
    }

    // MARK: Reasons and messages

    @Test(arguments: ["The WebSocket session [7] idle timeout expired", "Idle timeout expired: 30000/30000 ms"])
    func tomcatAndJettyIdleTimeoutClosesAreTheApplicationsIdleTimeout(reason: String) {
        let t = Fixture.opened(openAt: 100, frames: [outbound("text", at: 500)]).receivingClose(1001, reason, at: 30_500)
        let v = rule.evaluate(context(t))
        #expect(v?.cause == .applicationIdleTimeout)
        #expect(v?.summary.contains("30 s") == true)
    }

    @Test func actionCablesUnauthorizedDisconnectMessageIsAnAuthRejection() {
        let message = #"{"type":"disconnect","reason":"unauthorized","reconnect":false}"#
        let t = Fixture.opened(frames: [inbound("text", at: 300, preview: message)]).receivingClose(1000, "", at: 305)
        let v = rule.evaluate(context(t))
        #expect(v?.cause == .authRejected)
        #expect(v?.evidenceText.contains("\"type\":\"disconnect\"") == true)
    }

    @Test func anApplicationDisconnectMessageNamesItsReason() {
        let message = #"{"type":"disconnect","reason":"session_replaced"}"#
        let t = Fixture.opened(frames: [inbound("text", at: 300, preview: message)]).receivingClose(1000, "", at: 310)
        let v = rule.evaluate(context(t))
        #expect(v?.cause == .applicationDisconnect)
        #expect(v?.summary.contains("session_replaced") == true)
    }

    @Test func aDataMessageLongBeforeTheCloseIsNoDisconnectMessage() {
        let message = #"{"type":"disconnect","reason":"x"}"#
        let t = Fixture.opened(frames: [inbound("text", at: 300, preview: message)]).receivingClose(1000, "", at: 9000)
        #expect(rule.evaluate(context(t))?.cause == .unrequestedClose)
    }

    @Test func howLongBeforeTheCloseADisconnectMessageCountsIsAThreshold() {
        let message = #"{"type":"disconnect","reason":"x"}"#
        let t = Fixture.opened(frames: [inbound("text", at: 300, preview: message)]).receivingClose(1000, "", at: 9000)
        let wide = ClassifierThresholds(disconnectMessageWindow: .seconds(10))
        #expect(rule.evaluate(context(t, thresholds: wide))?.cause == .applicationDisconnect)
    }

    @Test func aCapSeenByTheLifetimeProbeNamesTheIntervalItPingedAt() {
        let main = Fixture.opened(openAt: 100).receivingClose(1000, "", at: 10_130)
        var m = Measurements(lifetimeMs: 10_000, lifetimeProbeMs: 20_000, lifetimeTranscript: probeClosed(1000, age: 10_000, pinged: true))
        m.pingIntervalMs = 250
        let v = FailureClassifier.classify(ClassificationInput(transcript: main, measurements: m))
        #expect(v.cause == .applicationConnectionCap)
        #expect(v.evidenceText.contains("the lifetime probe (a ping every 250 ms) was closed by the server too"), "\(v.evidenceText)")
    }

    // MARK: What stays as it was

    @Test func anUnexplained1000IsNotHealthy() {
        let v = FailureClassifier.classify(ClassificationInput(transcript: Fixture.opened().receivingClose(1000, "bye", at: 9000)))
        #expect(v.cause == .unrequestedClose)
        #expect(v.layer != .healthy)
        #expect(v.next.contains { $0.action == .measureTimeouts })
    }

    @Test func aCloseWeAskedForIsStillHealthy() {
        let v = FailureClassifier.classify(ClassificationInput(transcript: Fixture.opened().sendingClose(1000, at: 900, answered: true)))
        #expect(v.cause == .healthy)
    }

    @Test func aGoingAwayWithoutExplanationIsLeftToTheCloseCodeRule() {
        let t = Fixture.opened().receivingClose(1001, "Going away", at: 5000)
        #expect(rule.evaluate(context(t)) == nil)
        #expect(FailureClassifier.classify(ClassificationInput(transcript: t)).cause == .applicationRestart)
    }

    @Test func cloudflaresRestartIsNotThisRules() {
        #expect(rule.evaluate(context(Fixture.opened().receivingClose(1001, "CloudFlare WebSocket proxy restarting", at: 5000))) == nil)
    }
}
