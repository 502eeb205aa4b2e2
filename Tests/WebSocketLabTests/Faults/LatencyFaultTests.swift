import Testing
import WebSocketProbe

@testable import WebSocketLab

@Suite("latency fault")
struct LatencyFaultTests {
    @Test func echoRoundTripTakesAtLeastTheAddedDelay() async throws {
        let h = try await ProxyHarness.start(faults: ["latency:delay=300ms,jitter=20ms,direction=downstream"])
        let client = try await h.connect()
        await client.send(text: "slow")
        let (reply, ms) = await elapsedMs { await client.receive(timeout: .seconds(2)) }
        #expect(reply == .text("slow"))
        #expect(ms >= 270 && ms < 1500, "round trip \(ms) ms")
        await client.close()
        await h.stop()
    }
}
