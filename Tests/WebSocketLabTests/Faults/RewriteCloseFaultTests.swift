import Testing
import WebSocketDiagnosis
import WebSocketProbe

@testable import WebSocketLab

@Suite("rewrite-close fault")
struct RewriteCloseFaultTests {
    @Test func backendsNormalCloseArrivesAs1011() async throws {
        let h = try await ProxyHarness.start(faults: ["rewrite-close:from=1000,to=1011,direction=downstream"])
        let client = try await h.connect()
        await client.close(code: 1000)
        #expect(await client.transcript().close.received?.code == 1011)
        await h.stop()
    }

    // MARK: - Without sockets

    @Test func theMatchingCloseCodeIsRewrittenAndTheReasonKept() throws {
        let stub = try FaultStub("rewrite-close")
        let (verdict, edited) = stub.frame(opcode: FrameHeader.close, payload: FrameHeader.closePayload(code: 1011, reason: "boom"))
        #expect(verdict == .forward)
        #expect(edited.controlPayload == FrameHeader.closePayload(code: 1000, reason: "boom"))
        let other = FrameHeader.closePayload(code: 1001, reason: "")
        #expect(stub.frame(opcode: FrameHeader.close, payload: other).1.controlPayload == other)
        let any = try FaultStub("rewrite-close:from=any,to=4000")
        #expect(any.frame(opcode: FrameHeader.close, payload: other).1.controlPayload == FrameHeader.closePayload(code: 4000, reason: ""))
        // A close frame without a code stays as it is.
        #expect(any.frame(opcode: FrameHeader.close, payload: []).1.controlPayload == [])
    }
}
