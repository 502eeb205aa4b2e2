import Testing
import WebSocketDiagnosis
import WebSocketProbe

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
}
