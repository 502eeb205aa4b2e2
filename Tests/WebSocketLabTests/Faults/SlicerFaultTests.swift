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

    // MARK: - Without sockets

    @Test func theStreamIsCutIntoPiecesTheDelayApart() throws {
        let stage = try FaultStub("slicer:size=8,delay=2ms").stage()
        let out = stage.feed(Array(0..<20), atMs: 0)
        #expect(out == [.bytes(Array(0..<8), atMs: 0), .bytes(Array(8..<16), atMs: 2), .bytes(Array(16..<20), atMs: 4)])
        #expect(stage.finish(atMs: 0) == 6)
    }

    @Test func pieceSizesVaryWithinTheSpreadAndRepeatForASeed() throws {
        let sizes = { (seed: UInt64) throws -> [Int] in
            try FaultStub("slicer:size=8,variation=4,delay=1ms", seed: seed).stage().feed(Array(repeating: 0, count: 200)).map {
                if case .bytes(let b, _) = $0 { return b.count } else { return -1 }
            }
        }
        let a = try sizes(3)
        #expect(a.reduce(0, +) == 200)
        #expect(a.dropLast().allSatisfy { (4...12).contains($0) }, "\(a)")
        #expect(Set(a.dropLast()).count > 1, "variation must vary: \(a)")
        #expect(try sizes(3) == a)
    }
}
