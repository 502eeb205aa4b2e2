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
}
