import Testing

@testable import WebSocketDiagnosis

@Suite("Bare transport end rule")
struct BareTransportEndRuleTests {
    let rule = BareTransportEndRule()

    /// Opened at 100; a welcome at 110; nothing else; the transport ends at 60 112 ms.
    var silentThenCut: ConnectionTranscript {
        Fixture.opened(openAt: 100, frames: [inbound("text", at: 110)]).endingBare(at: 60_112)
    }

    /// Opened at 100; a ping every second, answered; the transport ends 30 012 ms after open.
    var busyThenCut: ConnectionTranscript {
        let p = pingsEvery(1000, from: 1100, to: 29_900)
        var t = Fixture.opened(openAt: 100, frames: p.frames, pings: p.pings).endingBare(at: 30_112)
        t.close.sinceLastInboundMs = 210
        t.close.sinceLastOutboundMs = 214
        return t
    }

    @Test func anEndAfterSilenceInBothDirectionsIsAnIdleTimeout() {
        let v = rule.evaluate(context(silentThenCut))
        #expect(v?.cause == .idleTimeout)
        #expect(v?.evidenceText.contains("60002 ms") == true)
        #expect(v?.summary.contains("60 s") == true)
    }

    @Test func anEndUnderSteadyTrafficIsALifetimeCapNotAnIdleTimeout() {
        let v = rule.evaluate(context(busyThenCut, expectations: ProbeExpectations(pingsDuringRun: true)))
        #expect(v?.cause == .lifetimeCap)
        #expect(
            v?.evidenceText.contains(
                "transport ended (eof) 30012 ms after open with no close frame; last inbound frame 210 ms before the end") == true)
        // Unconfirmed by a lifetime probe, a whole-second age is a hint: modest confidence, and the summary says how to confirm.
        #expect(v?.next.contains { $0.action == .measureLifetime } == true)
        #expect((v?.confidence ?? 1) < 0.5)
    }

    @Test func aCutBetweenAPingAndItsPongIsStillALifetimeCapNotAReadTimeout() {
        // A ping every second; the cut lands after the last ping went out, before its pong: 1.2 s since the last inbound frame.
        let p = pingsEvery(1000, from: 1100, to: 9100)
        var frames = p.frames
        frames.append(outbound("ping", at: 10_100, length: 4))
        let t = Fixture.opened(openAt: 100, frames: frames, pings: p.pings + [PingRecord(sentAtMs: 10_100)]).endingBare(at: 10_150)
        #expect(t.close.sinceLastInboundMs == 1046)
        #expect(rule.evaluate(context(t))?.cause == .lifetimeCap)
    }

    @Test func silenceMuchLongerThanTheUsualGapIsIdleEvenOnAChattyConnection() {
        // Messages from the server every 2 s for 20 s, then 30 s of nothing.
        let frames = stride(from: 2100.0, through: 20_100, by: 2000).map { inbound("text", at: $0) }
        let t = Fixture.opened(openAt: 100, frames: frames).endingBare(at: 50_100)
        #expect(rule.evaluate(context(t))?.cause == .idleTimeout)
    }

    @Test func theCadenceBoundThatSeparatesIdlenessFromRhythmIsAThreshold() {
        // The same 30 s silence after a 2 s cadence: idle under the default bound (2 s × 1.1 + 200 ms), the
        // peer's rhythm when the thresholds allow gaps up to 40.2 s.
        let frames = stride(from: 2100.0, through: 20_100, by: 2000).map { inbound("text", at: $0) }
        let t = Fixture.opened(openAt: 100, frames: frames).endingBare(at: 50_100)
        let lenient = ClassifierThresholds(cadenceFactor: 20)
        #expect(rule.evaluate(context(t, thresholds: lenient))?.cause != .idleTimeout)
        let slack = ClassifierThresholds(cadenceSlack: .seconds(30))
        #expect(rule.evaluate(context(t, thresholds: slack))?.cause != .idleTimeout)
    }

    @Test func aBareEndUnderTrafficAtAnOddAgeWithoutMeasurementsIsADropNotACap() {
        // Cloud Run scale-in: the instance is killed 1730 ms after open while pings flow.
        let p = pingsEvery(500, from: 600, to: 1600)
        let t = Fixture.opened(openAt: 100, frames: p.frames, pings: p.pings).endingBare(at: 1830)
        let v = rule.evaluate(context(t, expectations: ProbeExpectations(pingsDuringRun: true)))
        #expect(v?.cause == .infrastructureConnectionDropped)
        #expect(v?.next.contains { $0.action == .measureLifetime } == true)
    }

    @Test func aLifetimeProbeThatOutlivedTheConnectionContradictsACap() {
        let m = Measurements(idleProbeMs: 60_000, lifetimeProbeMs: 60_000)
        let v = rule.evaluate(context(busyThenCut, measurements: m))
        #expect(v?.cause == .infrastructureConnectionDropped)
        #expect(v?.evidenceText.contains("outlived") == true)
    }

    @Test func aMeasuredCapWinsOverAMessageThatHappenedToPrecedeTheEnd() {
        var t = busyThenCut
        t.frames.append(outbound("text", at: 30_050))
        #expect(rule.evaluate(context(t))?.cause == .applicationConnectionDropped)
        #expect(rule.evaluate(context(t, measurements: Measurements(lifetimeMs: 30_010, lifetimeProbeMs: 60_000)))?.cause == .lifetimeCap)
    }

    @Test func aCapIsConfirmedFromTheAcceptWhenASlowHandshakeShortensTheAgeFromOpen() {
        // A 2 s cap from the front's accept: the main connection took 900 ms to open (a loaded host), so it
        // ended 1 100 ms after open; the lifetime probe opened in 40 ms and ended 1 960 ms after open.
        let p = pingsEvery(250, from: 1000, to: 1950)
        var t = Fixture.opened(openAt: 900, frames: p.frames, pings: p.pings).endingBare(at: 2000)
        t.close.sinceLastInboundMs = 40
        t.close.sinceLastOutboundMs = 45
        t.frames.append(outbound("text", at: 1960))
        let probe = Fixture.opened(openAt: 40).endingBare(at: 2000)
        let m = Measurements(lifetimeMs: 1960, lifetimeProbeMs: 4000, lifetimeTranscript: probe)
        #expect(rule.evaluate(context(t, measurements: m))?.cause == .lifetimeCap)
    }

    @Test func aLifetimeProbeClosedByADeployFrameDoesNotConfirmACap() {
        // The same ages as the confirmed cap above, but the lifetime probe got a 1012: a deploy, not a cap.
        let p = pingsEvery(250, from: 1000, to: 1950)
        var t = Fixture.opened(openAt: 900, frames: p.frames, pings: p.pings).endingBare(at: 2000)
        t.close.sinceLastInboundMs = 40
        t.close.sinceLastOutboundMs = 45
        t.frames.append(outbound("text", at: 1960))
        let probe = Fixture.opened(openAt: 40).receivingClose(1012, "Service restart", at: 2000)
        let m = Measurements(lifetimeMs: 1960, lifetimeProbeMs: 4000, lifetimeTranscript: probe)
        let v = rule.evaluate(context(t, measurements: m))
        #expect(!(v?.cause == .lifetimeCap && (v?.confidence ?? 0) >= 0.9), "\(v?.cause.rawValue ?? "nil") \(v?.confidence ?? 0)")
        #expect(v?.evidenceText.contains("also ended after") != true, "the 1012-closed probe must not be cited as confirmation")
    }

    @Test func anEndLongBeforeTheMeasuredCapIsNotConfirmedByIt() {
        // Opened fast (20 ms) and ended 800 ms after open: whatever its accept, it cannot be 2 s old.
        let p = pingsEvery(250, from: 100, to: 800)
        var t = Fixture.opened(openAt: 20, frames: p.frames, pings: p.pings).endingBare(at: 820)
        t.close.sinceLastInboundMs = 40
        t.close.sinceLastOutboundMs = 45
        let probe = Fixture.opened(openAt: 40).endingBare(at: 2000)
        let m = Measurements(lifetimeMs: 1960, lifetimeProbeMs: 4000, lifetimeTranscript: probe)
        #expect(rule.evaluate(context(t, measurements: m))?.cause != .lifetimeCap)
    }

    @Test func anEndMidReplyWithEventsMissingIsTheApplicationCrashingMidStream() {
        let frames = [inbound("text", at: 150), outbound("text", at: 1000), inbound("text", at: 1020), inbound("text", at: 1040)]
        let t = Fixture.opened(frames: frames).endingBare(at: 1060)
        let e = ProbeExpectations(
            profile: "reference",
            expectedEvents: ["agent_started", "agent_thinking", "tool_executing", "tool_completed", "agent_completed"],
            receivedEvents: ["agent_started", "agent_thinking"])
        let v = rule.evaluate(context(t, expectations: e))
        #expect(v?.cause == .applicationConnectionDropped)
        #expect(v?.summary.contains("tool_executing, tool_completed, agent_completed") == true)
        #expect(rule.evaluate(context(t))?.cause != .applicationConnectionDropped)
    }

    @Test func aLifetimeMeasurementThatMatchesRaisesConfidence() {
        let single = rule.evaluate(context(busyThenCut))
        let measured = rule.evaluate(context(busyThenCut, measurements: Measurements(idleTimeoutMs: 30_020, lifetimeMs: 30_015)))
        #expect(measured?.cause == .lifetimeCap)
        #expect((measured?.confidence ?? 0) > (single?.confidence ?? 1))
    }

    @Test func anIdleMeasurementWithPingsKeepingItAliveConfirmsTheIdleTimeout() {
        let m = Measurements(idleTimeoutMs: 60_000, lifetimeMs: nil, idleProbeMs: 90_000, lifetimeProbeMs: 90_000)
        let v = rule.evaluate(context(silentThenCut, measurements: m))
        #expect(v?.cause == .idleTimeout)
        #expect((v?.confidence ?? 0) >= 0.9)
        #expect(v?.evidenceText.contains("pings keep it alive") == true)
    }

    @Test func backendSilenceWhileWeKeepSendingIsAReadTimeout() {
        // We send a message every 5 s; the backend never answers; cut at 60 s.
        let frames = stride(from: 5100.0, through: 60_100, by: 5000).map { outbound("text", at: $0) }
        let t = Fixture.opened(openAt: 100, frames: frames).endingBare(at: 60_105)
        let v = rule.evaluate(context(t))
        #expect(v?.cause == .idleTimeout)
        #expect(v?.summary.contains("read timeout") == true)
    }

    @Test func anEndRightAfterOneUnansweredMessageIsTheApplicationDroppingTheSocket() {
        let t = Fixture.opened(frames: [inbound("text", at: 150), outbound("text", at: 5000)]).endingBare(at: 5040)
        let v = rule.evaluate(context(t))
        #expect(v?.cause == .applicationConnectionDropped)
        #expect(v?.evidenceText.contains("40 ms after our message at 5000 ms") == true)
        #expect((v?.confidence ?? 1) < 0.7)
    }

    @Test func anAnsweredMessageBeforeTheEndIsNotTheTrigger() {
        let t = Fixture.opened(frames: [outbound("text", at: 5000), inbound("text", at: 5010)]).endingBare(at: 5040)
        #expect(rule.evaluate(context(t))?.cause != .applicationConnectionDropped)
    }

    @Test func thePlansMessageOffsetsCountAsMessages() {
        let t = Fixture.opened(frames: [inbound("text", at: 150)]).endingBare(at: 3030)
        let v = rule.evaluate(context(t, expectations: ProbeExpectations(messagesSentAtMs: [3000])))
        #expect(v?.cause == .applicationConnectionDropped)
    }

    @Test func unansweredServerPingsThenAnEndInTheKeepaliveWindowIsTheServersKeepalive() {
        let frames = [inbound("ping", at: 20_000), inbound("ping", at: 40_000)]
        let t = Fixture.opened(openAt: 100, frames: frames).endingBare(at: 40_100)
        let v = rule.evaluate(context(t))
        #expect(v?.cause == .applicationKeepaliveTimeout)
    }

    @Test func aQuickResetWithTrafficIsAnUnpatternedDropWithLowConfidence() {
        let t = Fixture.opened(frames: [inbound("text", at: 300), outbound("ping", at: 390)]).endingBare(at: 400, .reset)
        let v = rule.evaluate(context(t))
        #expect(v?.cause == .infrastructureConnectionDropped)
        #expect((v?.confidence ?? 1) < 0.5)
    }

    @Test func aReceivedCloseFrameIsNotABareEnd() {
        #expect(rule.evaluate(context(silentThenCut.receivingClose(1011, "", at: 60_000))) == nil)
    }

    @Test func ourOwnCloseIsNotABareEnd() {
        #expect(rule.evaluate(context(Fixture.opened().sendingClose(1000, at: 900, answered: false, end: .eof, endAt: 910))) == nil)
    }

    @Test func theTimingWindowsComeFromTheThresholds() {
        // With a 100 ms after-message window, an end 400 ms after a message is no longer "right after" it.
        let t = Fixture.opened(frames: [inbound("text", at: 150), outbound("text", at: 5000)]).endingBare(at: 5400)
        #expect(rule.evaluate(context(t))?.cause == .applicationConnectionDropped)
        let narrow = ClassifierThresholds(afterMessageWindow: .milliseconds(100))
        #expect(rule.evaluate(context(t, thresholds: narrow))?.cause != .applicationConnectionDropped)
    }
}

@Suite("Timeout discovery rule")
struct TimeoutDiscoveryRuleTests {
    let rule = TimeoutDiscoveryRule()
    let healthy = Fixture.opened()

    @Test func anIdleLimitThatPingsAvoidIsAnIdleTimeout() {
        let m = Measurements(idleTimeoutMs: 5_010, lifetimeMs: nil, idleProbeMs: 20_000, lifetimeProbeMs: 20_000)
        let v = rule.evaluate(context(healthy, measurements: m))
        #expect(v?.cause == .idleTimeout)
        #expect((v?.confidence ?? 0) >= 0.9)
        #expect(v?.summary.contains("5.0 s") == true)
    }

    @Test func anIdleLimitWithoutThePingProbeIsLessCertain() {
        let v = rule.evaluate(context(healthy, measurements: Measurements(idleTimeoutMs: 5_010, idleProbeMs: 20_000)))
        #expect(v?.cause == .idleTimeout)
        #expect((v?.confidence ?? 1) < 0.8)
    }

    @Test func aLimitThatPingsDoNotAvoidIsALifetimeCap() {
        let v = rule.evaluate(
            context(
                healthy, measurements: Measurements(idleTimeoutMs: 3_005, lifetimeMs: 3_012, idleProbeMs: 10_000, lifetimeProbeMs: 10_000)))
        #expect(v?.cause == .lifetimeCap)
        #expect(v?.evidenceText.contains("pings made no difference") == true)
    }

    @Test func aLifetimeProbeEndedByACloseFrameIsNotACap() {
        let closed = Fixture.opened().receivingClose(1012, "", at: 3000)
        let m = Measurements(lifetimeMs: 3_000, lifetimeProbeMs: 10_000, lifetimeTranscript: closed)
        #expect(rule.evaluate(context(healthy, measurements: m)) == nil)
    }

    @Test func connectionsThatOutlivedBothProbesShowNoLimit() {
        #expect(rule.evaluate(context(healthy, measurements: Measurements(idleProbeMs: 10_000, lifetimeProbeMs: 10_000))) == nil)
    }
}

@Suite("Missing events rule")
struct MissingEventsRuleTests {
    let rule = MissingEventsRule()
    let expected = ["agent_started", "agent_thinking", "tool_executing", "tool_completed", "agent_completed"]

    @Test func eventsThatNeverArrivedAreMissingEvents() {
        let e = ProbeExpectations(
            profile: "reference", expectedEvents: expected, receivedEvents: ["agent_started", "agent_thinking", "agent_thinking"])
        let v = rule.evaluate(context(Fixture.opened(), expectations: e))
        #expect(v?.cause == .missingEvents)
        #expect(v?.summary.contains("tool_executing, tool_completed, agent_completed") == true)
    }

    @Test func allEventsArrivingIsNotAFailure() {
        let e = ProbeExpectations(profile: "reference", expectedEvents: expected, receivedEvents: expected)
        #expect(rule.evaluate(context(Fixture.opened(), expectations: e)) == nil)
    }

    @Test func aFailedAgentEventsStepCountsWhenEventsAreNotListed() {
        let steps = [ProbeStep(name: .agentEvents, status: .failed, detail: "timed out waiting for agent_completed")]
        let v = rule.evaluate(context(Fixture.opened(), steps: steps))
        #expect(v?.cause == .missingEvents)
        #expect(v?.evidenceText.contains("agent_completed") == true)
    }
}
