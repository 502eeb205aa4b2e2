import Testing
import WebSocketDiagnosis
import WebSocketProbe

@testable import WebSocketLab

@Suite("lifetime-cap fault")
struct LifetimeCapFaultTests {
    @Test func pingsDoNotSaveALifetimeCappedConnection() async throws {
        // The cap counts from the proxy's accept (between the start of the connect and the open). 3 s leaves room
        // for several pongs on a loaded machine; the window excludes "never ended" (pings for up to 6 s) and an
        // end before the cap.
        let h = try await ProxyHarness.start(faults: ["lifetime-cap:after=3s"])
        let start = ContinuousClock.now
        let client = try await h.connect()
        var pongs = 0
        while await client.isOpen, ContinuousClock.now - start < .seconds(6) {
            if await client.ping(timeout: .seconds(1)) != nil { pongs += 1 }
            try await Task.sleep(for: .milliseconds(100))
        }
        let observed = try #require(await client.waitForEnd(timeout: .seconds(1)))
        let timing = try #require(await endTiming(client))
        #expect(pongs >= 3, "traffic flowed before the cap")
        #expect(observed.received == nil)
        #expect(observed.effectiveCode == 1006)
        #expect(timing.sinceStartMs > 2980 && timing.sinceOpenMs < 4200, "ended \(timing)")
        await h.stop()
    }
}
