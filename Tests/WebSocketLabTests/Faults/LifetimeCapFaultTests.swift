import Testing
import WebSocketDiagnosis
import WebSocketProbe

@testable import WebSocketLab

@Suite("lifetime-cap fault")
struct LifetimeCapFaultTests {
    @Test func pingsDoNotSaveALifetimeCappedConnection() async throws {
        let h = try await ProxyHarness.start(faults: ["lifetime-cap:after=700ms"])
        let start = ContinuousClock.now
        let client = try await h.connect()
        var pongs = 0
        while await client.isOpen, ContinuousClock.now - start < .seconds(3) {
            if await client.ping(timeout: .milliseconds(300)) != nil { pongs += 1 }
            try await Task.sleep(for: .milliseconds(100))
        }
        let observed = try #require(await client.waitForEnd(timeout: .seconds(1)))
        let ms = (ContinuousClock.now - start).milliseconds
        #expect(pongs >= 3, "traffic flowed before the cap")
        #expect(observed.received == nil)
        #expect(observed.effectiveCode == 1006)
        #expect(ms > 600 && ms < 1600, "ended after \(ms) ms")
        await h.stop()
    }
}
