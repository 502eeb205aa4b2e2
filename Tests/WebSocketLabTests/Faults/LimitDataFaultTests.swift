import Testing
import WebSocketDiagnosis
import WebSocketProbe

@testable import WebSocketLab

@Suite("limit-data fault")
struct LimitDataFaultTests {
    @Test func connectionEndsWithoutCloseFrameOnceTheLimitIsReached() async throws {
        let h = try await ProxyHarness.start(faults: ["limit-data:bytes=100,direction=upstream"])
        let client = try await h.connect()
        await client.send(text: "small")
        #expect(await client.receive(timeout: .seconds(2)) == .text("small"))
        await client.send(text: String(repeating: "x", count: 200))
        let observed = try #require(await client.waitForEnd(timeout: .seconds(2)))
        #expect(observed.received == nil)
        #expect(observed.effectiveCode == 1006)
        await h.stop()
    }

    // MARK: - Without sockets

    @Test func theBytePastTheLimitIsCutAndTheConnectionClosed() throws {
        let stage = try FaultStub("limit-data:bytes=10").stage()
        #expect(stage.feed([1, 2, 3, 4, 5, 6], atMs: 1) == [.bytes([1, 2, 3, 4, 5, 6], atMs: 1)])
        #expect(stage.feed([7, 8, 9, 10, 11, 12], atMs: 2) == [.bytes([7, 8, 9, 10], atMs: 2), .close(atMs: 2)])
        #expect(stage.feed([13], atMs: 3).isEmpty)
        #expect(try FaultStub("limit-data:bytes=0").stage().feed([1]) == [.close(atMs: 0)])
    }
}
