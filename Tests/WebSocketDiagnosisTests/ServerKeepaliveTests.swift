import Testing

@testable import WebSocketDiagnosis

@Suite("Server keepalive learned from its pings")
struct ServerKeepaliveTests {
    let bare = BareTransportEndRule()
    let discovery = TimeoutDiscoveryRule()

    @Test func aBareEndOneSecondAfterAnUnansweredPingAtAOneSecondIntervalIsTheServersKeepalive() {
        // Python websockets with ping_interval=1, ping_timeout=1 and our pongs withheld; its 1011 lost.
        let frames = [inbound("ping", at: 1100, length: 4), inbound("ping", at: 2100, length: 4)]
        let t = Fixture.opened(openAt: 100, frames: frames).endingBare(at: 2110)
        let v = bare.evaluate(context(t))
        #expect(v?.cause == .applicationKeepaliveTimeout, "\(v?.summary ?? "")")
        #expect(v?.evidenceText.contains("pings every 1.0 s") == true)
        #expect((v?.confidence ?? 0) >= 0.8)
    }

    @Test func theIntervalIsTheMedianGapBetweenTheServersPings() {
        let frames = [0.0, 5000, 10_000, 15_000].map { inbound("ping", at: 1100 + $0, length: 4) }
        let facts = TranscriptFacts(Fixture.opened(openAt: 100, frames: frames))
        #expect(facts.serverPingIntervalMs == 5000)
        #expect(TranscriptFacts(Fixture.opened(openAt: 100, frames: [inbound("ping", at: 3100)])).serverPingIntervalMs == 3000)
        #expect(TranscriptFacts(Fixture.opened(openAt: 100)).serverPingIntervalMs == nil)
    }

    @Test func aKillJustAfterAnUnansweredPingIsNoKeepalive() {
        // The server waits for the pong before giving up: an end 10 ms after its ping is something else.
        let t = Fixture.opened(openAt: 100, frames: [inbound("ping", at: 20_100, length: 4)]).endingBare(at: 20_110)
        #expect(bare.evaluate(context(t))?.cause != .applicationKeepaliveTimeout)
    }

    @Test func aKeepaliveWhoseTimerFiresEarlyIsStillTheKeepalive() {
        // Daphne --ping-interval 1 --ping-timeout 1, pongs withheld: its ping at 1.97 s, and autobahn's batched
        // timer (deadlines floored to a whole second) drops the socket 190 ms later.
        let idle = Fixture.opened(openAt: 8, frames: [inbound("ping", at: 1969, length: 20)]).endingBare(at: 2158)
        let m = Measurements(idleTimeoutMs: 2150, lifetimeMs: nil, idleProbeMs: 6000, idleTranscript: idle)
        let v = discovery.evaluate(context(Fixture.opened().sendingClose(1000, at: 900, answered: true), measurements: m))
        #expect(v?.cause == .applicationKeepaliveTimeout, "\(v?.summary ?? "")")
    }

    @Test func anEndLongAfterTheLearnedTimeoutIsNoKeepalive() {
        // Pings every second, the first unanswered at 1.1 s; the end 9 s later is far beyond a 1 s server's timeout.
        let frames = [inbound("ping", at: 1100, length: 4)]
        let t = Fixture.opened(openAt: 100, frames: frames).endingBare(at: 10_100)
        #expect(bare.evaluate(context(t))?.cause != .applicationKeepaliveTimeout)
    }

    @Test func aSilentProbeEndedAfterItsPingsWentUnansweredIsTheKeepaliveNotAnIdleTimeout() {
        // --withhold-pongs: the silent probe answers no ping either; Daphne/autobahn drop it bare 30 s after a 20 s ping.
        let idle = Fixture.opened(openAt: 100, frames: [inbound("ping", at: 20_100, length: 4), inbound("ping", at: 40_100, length: 4)])
            .endingBare(at: 50_100)
        let m = Measurements(idleTimeoutMs: 50_000, lifetimeMs: nil, idleProbeMs: 60_000, lifetimeProbeMs: 60_000, idleTranscript: idle)
        let v = discovery.evaluate(context(Fixture.opened().sendingClose(1000, at: 900, answered: true), measurements: m))
        #expect(v?.cause == .applicationKeepaliveTimeout, "\(v?.summary ?? "")")
    }
}

@Suite("Server-closed timeout probes")
struct ServerClosedProbeTests {
    let rule = TimeoutDiscoveryRule()
    let healthyMain = Fixture.opened().sendingClose(1000, at: 900, answered: true)

    func closed(_ code: Int?, age: Double, pinged: Bool) -> ConnectionTranscript {
        let p = pinged ? pingsEvery(1000, from: 1100, to: 100 + age - 1) : (frames: [], pings: [])
        return Fixture.opened(openAt: 100, frames: p.frames, pings: p.pings).receivingClose(code, "", at: 100 + age)
    }

    @Test func bothProbesClosedByTheServerAtTheSameAgeAreItsConnectionCapNotHealthy() {
        let m = Measurements(
            idleTimeoutMs: 6000, lifetimeMs: 6000, idleProbeMs: 10_000, lifetimeProbeMs: 10_000,
            idleTranscript: closed(1000, age: 6000, pinged: false), lifetimeTranscript: closed(1000, age: 6000, pinged: true))
        let v = FailureClassifier.classify(ClassificationInput(transcript: healthyMain, measurements: m))
        #expect(v.cause == .applicationConnectionCap)
        #expect(v.confidence >= 0.85)
    }

    @Test func onlyTheSilentProbeClosedByTheServerIsItsIdleTimeout() {
        let m = Measurements(
            idleTimeoutMs: 4000, lifetimeMs: nil, idleProbeMs: 10_000, lifetimeProbeMs: 10_000,
            idleTranscript: closed(nil, age: 4000, pinged: false))
        let v = FailureClassifier.classify(ClassificationInput(transcript: healthyMain, measurements: m))
        #expect(v.cause == .applicationIdleTimeout)
        #expect(v.summary.contains("4.0 s"))
    }

    @Test func aProbeClosedByARestartCodeIsNoLimit() {
        let m = Measurements(lifetimeMs: 6000, lifetimeProbeMs: 10_000, lifetimeTranscript: closed(1012, age: 6000, pinged: true))
        #expect(rule.evaluate(context(healthyMain, measurements: m)) == nil)
    }
}
