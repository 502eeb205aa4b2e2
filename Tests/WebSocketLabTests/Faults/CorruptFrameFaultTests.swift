import Testing
import WebSocketDiagnosis
import WebSocketProbe
import WebSocketWire

@testable import WebSocketLab

@Suite("corrupt-frame fault")
struct CorruptFrameFaultTests {
    @Test func backendFailsTheConnectionWithProtocolError() async throws {
        let h = try await ProxyHarness.start(faults: ["corrupt-frame:rsv=2,direction=upstream"])
        let client = try await h.connect()
        await client.send(text: "reserved bits")
        guard case .closed(let observed) = await client.receive(timeout: .seconds(2)) else {
            Issue.record("expected the backend to close")
            return
        }
        #expect(observed.received?.code == 1002)
        await h.stop()
    }

    // MARK: - Without sockets

    @Test func dataFramesGetTheChosenReservedBitAndControlFramesPass() throws {
        let (verdict, edited) = try FaultStub("corrupt-frame").frame(opcode: FrameOpcode.text)
        #expect(verdict == .forward)
        #expect(edited.header.rsv == 2)
        #expect(try FaultStub("corrupt-frame:rsv=1").frame(opcode: FrameOpcode.binary).1.header.rsv == 4)
        #expect(try FaultStub("corrupt-frame:rsv=all").frame(opcode: FrameOpcode.continuation).1.header.rsv == 7)
        #expect(try FaultStub("corrupt-frame").frame(opcode: FrameOpcode.ping, payload: []).1.header.rsv == 0)
    }
}
