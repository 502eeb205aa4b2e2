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

    // MARK: - Without sockets

    @Test func bytesLeaveInPiecesAtTheConfiguredRate() throws {
        let stage = try FaultStub("bandwidth:rate=1000").stage()
        // 100 bytes at 1000 B/s: 50-byte pieces (50 ms worth each), the last one out at 100 ms.
        let out = stage.feed(Array(repeating: 7, count: 100), atMs: 0)
        #expect(out == [.bytes(Array(repeating: 7, count: 50), atMs: 50), .bytes(Array(repeating: 7, count: 50), atMs: 100)])
        // The link is busy until then: the next byte queues behind, and the end waits for it.
        #expect(stage.feed([1], atMs: 10) == [.bytes([1], atMs: 101)])
        #expect(stage.finish(atMs: 20) == 101)
        #expect(throws: FaultSpecError.self) { try FaultStub("bandwidth") }
    }
}
