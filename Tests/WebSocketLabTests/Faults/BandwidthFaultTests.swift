import Testing
import WebSocketProbe

@testable import WebSocketLab

@Suite("bandwidth fault")
struct BandwidthFaultTests {
    @Test func largeMessageArrivesIntactAtTheLimitedRate() async throws {
        let h = try await ProxyHarness.start(faults: ["bandwidth:rate=40000,direction=downstream"])
        let client = try await h.connect()
        let payload = (0..<20_000).map { UInt8(truncatingIfNeeded: $0 &* 7) }
        await client.send(binary: payload)
        let (reply, ms) = await elapsedMs { await client.receive(timeout: .seconds(3)) }
        #expect(reply == .binary(payload))
        // 20 kB at 40 kB/s ≈ 500 ms.
        #expect(ms >= 400 && ms < 2000, "took \(ms) ms")
        await client.close()
        await h.stop()
    }
}
