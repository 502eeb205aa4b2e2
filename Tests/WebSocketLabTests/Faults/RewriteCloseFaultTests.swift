import Testing
import WebSocketDiagnosis
import WebSocketProbe
import WebSocketWire

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
        let (verdict, edited) = stub.frame(
            opcode: FrameOpcode.close, payload: ClosePayload(code: CloseCode(1011), reason: "boom").unvalidatedEncoding())
        #expect(verdict == .forward)
        #expect(edited.controlPayload == ClosePayload(code: CloseCode(1000), reason: "boom").unvalidatedEncoding())
        let other = ClosePayload(code: CloseCode(1001), reason: "").unvalidatedEncoding()
        #expect(stub.frame(opcode: FrameOpcode.close, payload: other).1.controlPayload == other)
        let any = try FaultStub("rewrite-close:from=any,to=4000")
        #expect(
            any.frame(opcode: FrameOpcode.close, payload: other).1.controlPayload
                == ClosePayload(code: CloseCode(4000), reason: "").unvalidatedEncoding())
        // A close frame without a code stays as it is.
        #expect(any.frame(opcode: FrameOpcode.close, payload: []).1.controlPayload == [])
    }
}
