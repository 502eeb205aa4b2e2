import Testing
import WebSocketDiagnosis
import WebSocketProbe

@testable import WebSocketLab

@Suite("reset-peer fault")
struct ResetPeerFaultTests {
    @Test func connectionIsResetWithoutACloseFrame() async throws {
        let h = try await ProxyHarness.start(faults: ["reset-peer:after=300ms"])
        let client = try await h.connect()
        #expect(await client.isOpen)
        let (end, ms) = await elapsedMs { await client.waitForEnd(timeout: .seconds(3)) }
        let observed = try #require(end)
        #expect(observed.received == nil)
        #expect(observed.transportEnd == .reset)
        #expect(ms > 200 && ms < 1500)
        await h.stop()
    }
}
