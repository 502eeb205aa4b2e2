import Testing
import WebSocketDiagnosis
import WebSocketProbe
import WebSocketWire

@testable import WebSocketLab

@Suite("frame-limit fault")
struct FrameLimitFaultTests {
    @Test func aFrameOverTheLimitIsAnswered1009AndASmallerOneIsEchoed() async throws {
        let h = try await ProxyHarness.start(faults: ["frame-limit:bytes=1024"])
        let client = try await h.connect()
        await client.send(text: String(repeating: "a", count: 1024))
        guard case .text(let echoed) = await client.receive(timeout: .seconds(5)) else {
            Issue.record("a 1024-byte frame (at the limit) should pass and be echoed")
            await h.stop()
            return
        }
        #expect(echoed.count == 1024)
        await client.send(text: String(repeating: "b", count: 1025))
        let end = try #require(await client.waitForEnd(timeout: .seconds(5)), "the proxy never ended the connection")
        #expect(end.received?.code == 1009, "\(end)")
        await h.stop()
    }

    // MARK: - Without sockets

    @Test func onlyDataFramesOverTheLimitEndTheConnectionTowardTheirSender() throws {
        let stub = try FaultStub("frame-limit:bytes=4,code=1009,reason=too big")
        #expect(stub.configured.direction == .upstream, "by default the client's frames are limited")
        #expect(stub.frame(opcode: .text, payload: [1, 2, 3, 4], direction: .upstream).0 == .forward)
        #expect(stub.frame(opcode: .ping, payload: [1, 2, 3, 4, 5], direction: .upstream).0 == .forward)
        #expect(
            stub.frame(opcode: .binary, payload: [1, 2, 3, 4, 5], direction: .upstream).0
                == .end(.injectClose(code: 1009, reason: "too big", direction: .downstream)))
        #expect(
            stub.frame(opcode: .text, payload: [1, 2, 3, 4, 5], direction: .downstream).0
                == .end(.injectClose(code: 1009, reason: "too big", direction: .upstream)), "a server's frame: the close goes to the server"
        )
        #expect(throws: FaultSpecError.self) { try FaultStub("frame-limit") }
        #expect(throws: FaultSpecError.self) { try FaultStub("frame-limit:bytes=4,code=99") }
    }
}
