import Testing
import WebSocketDiagnosis
import WebSocketProbe

@testable import WebSocketLab

@Suite("reset-peer fault")
struct ResetPeerFaultTests {
    @Test func connectionIsResetWithoutACloseFrame() async throws {
        let h = try await ProxyHarness.start(faults: ["reset-peer:after=300ms"])
        let start = ContinuousClock.now
        let client = try await h.connect()
        #expect(await client.isOpen)
        let observed = try #require(await client.waitForEnd(timeout: .seconds(3)))
        let ms = (ContinuousClock.now - start).milliseconds
        #expect(observed.received == nil)
        #expect(observed.transportEnd == .reset)
        #expect(ms > 280 && ms < 1800, "ended after \(ms) ms")
        await h.stop()
    }
}
