import Testing
import WebSocketProbe
import WebSocketWire

@testable import WebSocketLab

@Suite("drop-pongs fault")
struct DropPongsFaultTests {
    @Test func pingsGoUnansweredWhileMessagesFlow() async throws {
        let h = try await ProxyHarness.start(faults: ["drop-pongs"])
        let client = try await h.connect()
        #expect(await client.ping(timeout: .milliseconds(400)) == nil)
        await client.send(text: "still here")
        #expect(await client.receive(timeout: .seconds(2)) == .text("still here"))
        await client.close()
        await h.stop()
    }

    @Test func probabilityZeroLeavesPongsAlone() async throws {
        let h = try await ProxyHarness.start(faults: ["drop-pongs:probability=0"])
        let client = try await h.connect()
        #expect(await client.ping(timeout: .seconds(1)) != nil)
        await client.close()
        await h.stop()
    }

    // MARK: - Without sockets

    @Test func pongsAreDroppedAndEverythingElsePasses() throws {
        let stub = try FaultStub("drop-pongs")
        #expect(stub.frame(opcode: FrameOpcode.pong, payload: [1]).0 == .drop)
        #expect(stub.frame(opcode: FrameOpcode.ping, payload: [1]).0 == .forward)
        #expect(
            stub.frame(opcode: FrameOpcode.close, payload: ClosePayload(code: CloseCode(1000), reason: "").unvalidatedEncoding()).0
                == .forward)
    }
}
