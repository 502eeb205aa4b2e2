import Testing
import WebSocketProbe
import WebSocketWire

@testable import WebSocketLab

@Suite("drop-pings fault")
struct DropPingsFaultTests {
    @Test func pingsNeverReachTheBackend() async throws {
        let h = try await ProxyHarness.start(faults: ["drop-pings:direction=upstream"])
        let client = try await h.connect()
        #expect(await client.ping(timeout: .milliseconds(400)) == nil)
        await client.send(text: "data flows")
        #expect(await client.receive(timeout: .seconds(2)) == .text("data flows"))
        await client.close()
        await h.stop()
    }

    // MARK: - Without sockets

    @Test func pingsAreDroppedAndEverythingElsePasses() throws {
        let stub = try FaultStub("drop-pings")
        #expect(stub.frame(opcode: FrameOpcode.ping, payload: [1]).0 == .drop)
        #expect(stub.frame(opcode: FrameOpcode.pong, payload: [1]).0 == .forward)
        #expect(stub.frame(opcode: FrameOpcode.text).0 == .forward)
    }
}
