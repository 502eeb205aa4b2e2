import Testing
import WebSocketDiagnosis
import WebSocketProbe

@testable import WebSocketLab

@Suite("reset-peer fault")
struct ResetPeerFaultTests {
    @Test func connectionIsResetWithoutACloseFrame() async throws {
        let h = try await ProxyHarness.start(faults: ["reset-peer:after=600ms"])
        let client = try await h.connect()
        #expect(await client.isOpen)
        let observed = try #require(await client.waitForEnd(timeout: .seconds(3)))
        let timing = try #require(await endTiming(client))
        #expect(observed.received == nil)
        #expect(observed.transportEnd == .reset)
        #expect(timing.sinceStartMs > 580 && timing.sinceOpenMs < 1600, "ended \(timing)")
        await h.stop()
    }
}
