import Testing
import WebSocketProbe

@testable import WebSocketLab

@Suite("blackhole fault")
struct BlackholeFaultTests {
    @Test func repliesVanishWhileTheConnectionStaysOpen() async throws {
        let h = try await ProxyHarness.start(faults: ["blackhole"])
        let client = try await h.connect()
        #expect(await client.isOpen)
        await client.send(text: "anyone?")
        #expect(await client.receive(timeout: .milliseconds(500)) == .timeout)
        #expect(await client.ping(timeout: .milliseconds(300)) == nil)
        #expect(await client.isOpen)
        await client.abort()
        await h.stop()
    }

    // MARK: - Without sockets

    @Test func everyByteIsSwallowedDownstreamByDefault() throws {
        let stub = try FaultStub("blackhole")
        #expect(stub.configured.direction == .downstream)
        let stage = stub.stage()
        #expect(stage.feed([1, 2, 3]).isEmpty)
        #expect(stage.feed(Array(repeating: 0, count: 4096), atMs: 10).isEmpty)
        #expect(stage.finish(atMs: 10) == 10)
    }
}
