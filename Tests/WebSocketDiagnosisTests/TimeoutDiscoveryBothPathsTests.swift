import Foundation
import Testing

@testable import WebSocketDiagnosis

/// Timeout discovery with `--direct`: the same probes direct to the backend tell the application's own
/// timeout (the same cut direct) from the front's (front only) — docs/FAILURE_SIGNATURES.md, rule 4.
@Suite("Timeout discovery on both paths")
struct TimeoutDiscoveryBothPathsTests {
    let healthyMain = Fixture.opened().sendingClose(1000, at: 900, answered: true)

    /// A silent probe opened at 100 ms and cut bare `after` ms later, through `target`.
    func silentCut(after: Double, target: TargetDescription = Fixture.target) -> ConnectionTranscript {
        Fixture.opened(openAt: 100, target: target).endingBare(at: 100 + after)
    }

    /// A probe that lived its whole length and was closed by us.
    func outlived(pinged: Bool, target: TargetDescription = Fixture.directTarget) -> ConnectionTranscript {
        let p = pinged ? pingsEvery(1000, from: 1100, to: 9000) : (frames: [], pings: [])
        return Fixture.opened(openAt: 100, frames: p.frames, pings: p.pings, target: target).sendingClose(1000, at: 10_100, answered: true)
    }

    func measurements(frontIdle: Double?, directIdle: ConnectionTranscript?, directIdleMs: Double?) -> Measurements {
        var m = Measurements(
            idleTimeoutMs: frontIdle, lifetimeMs: nil, idleProbeMs: 10_000, lifetimeProbeMs: 10_000,
            idleTranscript: frontIdle.map { silentCut(after: $0) }, lifetimeTranscript: outlived(pinged: true, target: Fixture.target))
        m.directIdleTranscript = directIdle
        m.directIdleTimeoutMs = directIdleMs
        m.directLifetimeTranscript = directIdle == nil ? nil : outlived(pinged: true)
        return m
    }

    @Test func theSameSilentCutDirectIsTheApplicationsOwnIdleTimeout() {
        let m = measurements(frontIdle: 2000, directIdle: silentCut(after: 2010, target: Fixture.directTarget), directIdleMs: 2010)
        let v = FailureClassifier.classify(ClassificationInput(transcript: healthyMain, direct: healthyMain, measurements: m))
        #expect(v.cause == .applicationIdleTimeout, "\(v.summary)")
        #expect(v.layer == .application)
        #expect(v.evidence.contains { $0.rule == "direct-vs-front" && $0.observation.contains("cut after 2010 ms too") }, "\(v.evidence)")
    }

    @Test func aSilentCutOnlyThroughTheFrontIsTheFrontsIdleTimeout() {
        let m = measurements(frontIdle: 2000, directIdle: outlived(pinged: false), directIdleMs: nil)
        let v = FailureClassifier.classify(ClassificationInput(transcript: healthyMain, direct: healthyMain, measurements: m))
        #expect(v.cause == .idleTimeout, "\(v.summary)")
        #expect(v.layer == .infrastructure)
        #expect(v.evidence.contains { $0.rule == "direct-vs-front" && $0.observation.contains("lived its full") }, "\(v.evidence)")
        #expect(v.confidence >= 0.9)
    }

    @Test func withoutDirectProbesTheCutStaysTheFrontsAsBefore() {
        let m = measurements(frontIdle: 2000, directIdle: nil, directIdleMs: nil)
        let v = FailureClassifier.classify(ClassificationInput(transcript: healthyMain, measurements: m))
        #expect(v.cause == .idleTimeout)
        #expect(!v.evidence.contains { $0.rule == "direct-vs-front" })
    }

    @Test func aDirectCutAtAnotherAgeIsReportedButDoesNotMoveTheBlame() {
        let m = measurements(frontIdle: 2000, directIdle: silentCut(after: 6000, target: Fixture.directTarget), directIdleMs: 6000)
        let v = FailureClassifier.classify(ClassificationInput(transcript: healthyMain, direct: healthyMain, measurements: m))
        #expect(v.cause == .idleTimeout)
        #expect(v.evidence.contains { $0.observation.contains("6000 ms") }, "\(v.evidence)")
    }

    @Test func theSamePingedCutDirectIsTheApplicationsOwnCapNotTheLoadBalancers() {
        let pinged = pingsEvery(1000, from: 1100, to: 2900)
        let front = Fixture.opened(openAt: 100, frames: pinged.frames, pings: pinged.pings).endingBare(at: 3100)
        let direct = Fixture.opened(openAt: 100, frames: pinged.frames, pings: pinged.pings, target: Fixture.directTarget).endingBare(
            at: 3090)
        var m = Measurements(
            idleTimeoutMs: 3000, lifetimeMs: 3000, idleProbeMs: 10_000, lifetimeProbeMs: 10_000, idleTranscript: silentCut(after: 3000),
            lifetimeTranscript: front)
        m.directLifetimeTranscript = direct
        m.directLifetimeMs = 2990
        let v = FailureClassifier.classify(ClassificationInput(transcript: healthyMain, direct: healthyMain, measurements: m))
        #expect(v.cause == .applicationConnectionCap, "\(v.summary)")
        let frontOnly = FailureClassifier.classify(
            ClassificationInput(
                transcript: healthyMain, direct: healthyMain,
                measurements: {
                    var f = m
                    f.directLifetimeTranscript = outlived(pinged: true)
                    f.directLifetimeMs = nil
                    return f
                }()))
        #expect(frontOnly.cause == .lifetimeCap, "\(frontOnly.summary)")
    }

    @Test func theDirectProbesAreInTheJSONOnlyWhenTheyRan() throws {
        let without =
            try JSONSerialization.jsonObject(with: JSONEncoder().encode(Measurements(idleTimeoutMs: 2000, idleProbeMs: 4000)))
            as? [String: Any]
        #expect(without?.keys.contains("directIdleTimeoutMs") == false)
        var m = Measurements(idleTimeoutMs: 2000, idleProbeMs: 4000)
        m.directIdleTranscript = outlived(pinged: false)
        let data = try JSONEncoder().encode(m)
        let with = try JSONSerialization.jsonObject(with: data) as? [String: Any]
        #expect(with?["directIdleTimeoutMs"] is NSNull, "outlived direct is an explicit null")
        #expect(with?.keys.contains("directIdleTranscript") == true)
        let back = try JSONDecoder().decode(Measurements.self, from: data)
        #expect(back == m)
    }
}
