import Testing

@testable import WebSocketDiagnosis

/// Keepalives at the application layer: Engine.IO's `2`/`3` and the interval its open packet announces,
/// Action Cable's welcome and 3-s pings, JSON pings — learned from the frames as the server's protocol pings are.
@Suite("Application keepalives (Engine.IO, Action Cable, JSON pings)")
struct ApplicationKeepaliveTests {
    static let engineIOTarget = TargetDescription(
        url: "ws://app.example.test/socket.io/?EIO=4&transport=websocket", scheme: "ws", host: "app.example.test", port: 80,
        resource: "/socket.io/?EIO=4&transport=websocket")

    /// python-engineio's open packet as it writes it (`engineio/socket.py` `_upgrade_websocket` → `handle_get_request`).
    static let openPacket =
        #"0{"sid":"Fh3P4oZxYcTAAAAB","upgrades":[],"pingTimeout":1000,"pingInterval":1000,"maxPayload":1000000}"#

    /// An Engine.IO connection opened at 100 ms: the open packet, then a ping `2` every second from 1.1 s to `lastPing`,
    /// each answered with `3` 5 ms later when `answered`.
    func engineIO(lastPing: Double, answered: Bool, announced: Bool = true) -> ConnectionTranscript {
        var frames = [inbound("text", at: 105, length: Self.openPacket.utf8.count, preview: String(Self.openPacket.prefix(64)))]
        var at = 1100.0
        while at <= lastPing {
            frames.append(inbound("text", at: at, length: 1, preview: "2"))
            if answered { frames.append(outbound("text", at: at + 5, length: 1, preview: "3")) }
            at += 1000
        }
        var t = Fixture.opened(openAt: 100, frames: frames, target: Self.engineIOTarget)
        if announced { t.applicationKeepalive = ApplicationKeepaliveAnnouncement.parse(Self.openPacket, atMs: 105) }
        return t
    }

    @Test func theEngineIOOpenPacketAnnouncesItsIntervalAndTimeoutAndNothingElseDoes() {
        let a = ApplicationKeepaliveAnnouncement.parse(Self.openPacket, atMs: 105)
        #expect(a == ApplicationKeepaliveAnnouncement(protocolName: "engine.io", pingIntervalMs: 1000, pingTimeoutMs: 1000, atMs: 105))
        #expect(ApplicationKeepaliveAnnouncement.parse(#"0{"sid":"x","upgrades":[]}"#, atMs: 1) == nil)
        #expect(ApplicationKeepaliveAnnouncement.parse(#"40{"sid":"x"}"#, atMs: 1) == nil)
        #expect(ApplicationKeepaliveAnnouncement.parse(#"0{"pingInterval":"soon","pingTimeout":1}"#, atMs: 1) == nil)
        #expect(ApplicationKeepaliveAnnouncement.parse("0{not json", atMs: 1) == nil)
    }

    @Test func aCloseAfterUnansweredEngineIOPingsWithinTheAnnouncedTimeoutIsTheApplicationsKeepalive() {
        // Two pings unanswered (1.1 s, 2.1 s), the server's empty close at 3.0 s: within pingInterval + pingTimeout.
        let t = engineIO(lastPing: 2100, answered: false).receivingClose(nil, at: 3000)
        let v = FailureClassifier.classify(ClassificationInput(transcript: t))
        #expect(v.cause == .applicationKeepaliveTimeout, "\(v.summary)\n\(v.evidenceText)")
        #expect(v.evidenceText.contains("Engine.IO ping packets"))
        #expect(v.evidenceText.contains("announced in its open packet (pingInterval 1000 ms, pingTimeout 1000 ms)"))
        #expect(v.summary.contains("pong `3`"))
    }

    @Test func theSameCloseWithEveryPingAnsweredIsNotTheKeepalive() {
        let t = engineIO(lastPing: 2100, answered: true).receivingClose(nil, at: 3000)
        let v = FailureClassifier.classify(ClassificationInput(transcript: t))
        #expect(v.cause != .applicationKeepaliveTimeout, "\(v.summary)")
        #expect(v.cause == .unrequestedClose)
    }

    @Test func aBareEndLongAfterTheAnnouncedTimeoutIsNotTheKeepalive() {
        // One unanswered ping at 1.1 s; the end 8 s later is far beyond pingInterval + pingTimeout (2 s).
        let t = engineIO(lastPing: 1100, answered: false).endingBare(at: 9100)
        let v = BareTransportEndRule().evaluate(context(t))
        #expect(v?.cause != .applicationKeepaliveTimeout, "\(v?.summary ?? "")")
    }

    @Test func withoutTheAnnouncementTheIntervalIsLearnedFromThePings() {
        let t = engineIO(lastPing: 2100, answered: false, announced: false).endingBare(at: 2900)
        let v = BareTransportEndRule().evaluate(context(t))
        #expect(v?.cause == .applicationKeepaliveTimeout, "\(v?.summary ?? "")")
        #expect(v?.evidenceText.contains("learned from its pings") == true)
    }

    @Test func inEngineIOVersion3TheClientPingsSoAnInbound2IsNoServerPing() {
        var t = engineIO(lastPing: 2100, answered: false, announced: false)
        t.target.resource = "/socket.io/?EIO=3&transport=websocket"
        #expect(ApplicationHeartbeat(t) == nil)
    }

    @Test func aSilentProbeEndedByUnansweredEngineIOPingsIsTheKeepaliveNotAnIdleTimeout() {
        let idle = engineIO(lastPing: 2100, answered: false).receivingClose(nil, at: 3000)
        let m = Measurements(idleTimeoutMs: 2900, lifetimeMs: nil, idleProbeMs: 6000, idleTranscript: idle)
        let v = TimeoutDiscoveryRule().evaluate(context(Fixture.opened().sendingClose(1000, at: 900, answered: true), measurements: m))
        #expect(v?.cause == .applicationKeepaliveTimeout, "\(v?.summary ?? "")")
        #expect(v?.summary.contains("not an idle timeout") == true)
    }

    @Test func unansweredJSONPingsBeforeABareEndAreTheApplicationsKeepalive() {
        let frames = [1100.0, 3100].map { inbound("text", at: $0, length: 15, preview: #"{"type":"ping"}"#) }
        let t = Fixture.opened(openAt: 100, frames: frames).endingBare(at: 4300)
        let v = BareTransportEndRule().evaluate(context(t))
        #expect(v?.cause == .applicationKeepaliveTimeout, "\(v?.summary ?? "")")
        #expect(v?.evidenceText.contains("JSON pings") == true)
        // Answered with a JSON pong, the same end is something else.
        var answered = Fixture.opened(
            openAt: 100,
            frames: frames + [
                outbound("text", at: 1110, preview: #"{"type":"pong"}"#), outbound("text", at: 3110, preview: #"{"type":"pong"}"#),
            ])
        answered = answered.endingBare(at: 4300)
        #expect(BareTransportEndRule().evaluate(context(answered))?.cause != .applicationKeepaliveTimeout)
    }

    // MARK: - Action Cable

    func actionCable(pingsAt: [Double], welcome: Bool, endAt: Double) -> ConnectionTranscript {
        var frames = welcome ? [inbound("text", at: 150, length: 18, preview: #"{"type":"welcome"}"#)] : []
        frames += pingsAt.map { inbound("text", at: $0, length: 37, preview: #"{"type":"ping","message":1764500000}"#) }
        return Fixture.opened(openAt: 100, frames: frames, offered: ["actioncable-v1-json"], selected: "actioncable-v1-json")
            .sendingClose(1000, at: endAt, answered: true)
    }

    @Test func actionCablesPingsNeedNoAnswerSoAServerCloseAfterThemIsNoKeepalive() {
        let t = Fixture.opened(
            openAt: 100,
            frames: [2100.0, 5100].map { inbound("text", at: $0, length: 37, preview: #"{"type":"ping","message":1764500000}"#) }
        ).receivingClose(1000, at: 6000)
        #expect(ApplicationKeepalive(context(t), endAtMs: 6000) == nil)
        #expect(FailureClassifier.classify(ClassificationInput(transcript: t)).cause != .applicationKeepaliveTimeout)
    }

    @Test func aWelcomeAndPingsEveryThreeSecondsAreHealthyAndSaidSo() {
        let t = actionCable(pingsAt: [2100, 5100, 8100], welcome: true, endAt: 9000)
        let v = FailureClassifier.classify(ClassificationInput(transcript: t))
        #expect(v.cause == .healthy, "\(v.summary)")
        #expect(v.evidenceText.contains("welcome at 150 ms, 3 Action Cable pings"))
        #expect(v.evidenceText.contains("every 3.0 s"))
    }

    @Test func noWelcomeAndNoPingForNineSecondsIsAConnectThatNeverFinished() {
        let t = actionCable(pingsAt: [], welcome: false, endAt: 9100)
        let v = FailureClassifier.classify(ClassificationInput(transcript: t))
        #expect(v.cause == .missingEvents, "\(v.summary)")
        #expect(v.summary.contains("never sent its welcome"))
        // The same silence over a run too short to expect a ping is healthy.
        let short = actionCable(pingsAt: [], welcome: false, endAt: 2000)
        #expect(FailureClassifier.classify(ClassificationInput(transcript: short)).cause == .healthy)
    }

    @Test func pingsThatStopForMoreThanTwoIntervalsAreAStoppedHeartbeat() {
        let t = actionCable(pingsAt: [2100, 5100], welcome: true, endAt: 14_000)
        let v = FailureClassifier.classify(ClassificationInput(transcript: t))
        #expect(v.cause == .missingEvents, "\(v.summary)")
        #expect(v.summary.contains("heartbeat stopped"))
        #expect(v.evidenceText.contains("the last at 5100 ms"))
        // Pings that kept coming to the end: healthy.
        let steady = actionCable(pingsAt: [2100, 5100, 8100, 11_100], welcome: true, endAt: 14_000)
        #expect(FailureClassifier.classify(ClassificationInput(transcript: steady)).cause == .healthy)
    }

    @Test func howManyIntervalsMakeAStoppedHeartbeatIsTheConfiguredThreshold() {
        // 8.9 s of silence after pings every 3 s: stopped under the default two intervals, not under three and a half.
        let t = actionCable(pingsAt: [2100, 5100], welcome: true, endAt: 14_000)
        var patient = ClassifierThresholds()
        patient.keepaliveTimeoutIntervals = 3.5
        let v = FailureClassifier.classify(ClassificationInput(transcript: t), thresholds: patient)
        #expect(!v.summary.contains("heartbeat stopped"), "\(v.summary)")
    }
}
