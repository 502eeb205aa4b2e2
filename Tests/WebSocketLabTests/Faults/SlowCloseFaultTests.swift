import Testing
import WebSocketDiagnosis
import WebSocketProbe

@testable import WebSocketLab

@Suite("slow-close fault")
struct SlowCloseFaultTests {
    @Test func serverCloseReachesTheClientOnlyAfterTheDelay() async throws {
        let h = try await ProxyHarness.start(faults: ["slow-close:delay=700ms,direction=downstream"])
        let client = try await h.connect()
        // The echo server answers a close frame and closes TCP; the proxy holds the TCP close.
        await client.send(text: "x")
        _ = await client.receive()
        let (_, ms) = await elapsedMs { await client.close(code: 1000) }
        let end = await client.transcript().close
        #expect(end.received?.code == 1000)
        #expect(ms >= 600, "close completed after \(ms) ms")
        await h.stop()
    }

    // MARK: - Without sockets

    @Test func bytesPassAtOnceAndTheEndIsHeldTheDelay() throws {
        let stage = try FaultStub("slow-close:delay=1500ms").stage()
        #expect(stage.feed([1, 2], atMs: 3) == [.bytes([1, 2], atMs: 3)])
        #expect(stage.finish(atMs: 10) == 1510)
        #expect(try FaultStub("slow-close").stage().finish(atMs: 0) == 1000)
    }
}
