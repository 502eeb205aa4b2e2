import Testing
import WebSocketProbe

@testable import WebSocketLab

@Suite("slicer fault")
struct SlicerFaultTests {
    @Test func slicedFramesAreReassembledIntactByTheClient() async throws {
        let h = try await ProxyHarness.start(faults: ["slicer:size=8,delay=2ms,direction=downstream"])
        let client = try await h.connect()
        let text = String(repeating: "sliced-frames-", count: 20)
        await client.send(text: text)
        let (reply, ms) = await elapsedMs { await client.receive(timeout: .seconds(3)) }
        #expect(reply == .text(text))
        // 282 bytes in 8-byte pieces 2 ms apart: at least ~60 ms.
        #expect(ms >= 50, "took \(ms) ms")
        await client.close()
        await h.stop()
    }
}
