import Testing
import WebSocketDiagnosis
import WebSocketProbe

@testable import WebSocketLab

@Suite("inject-close fault")
struct InjectCloseFaultTests {
    @Test func clientReceivesA1011TheBackendNeverSent() async throws {
        let h = try await ProxyHarness.start(faults: ["inject-close:code=1011,reason=Internal error,after=300ms"])
        let start = ContinuousClock.now
        let client = try await h.connect()
        let message = await client.receive(timeout: .seconds(2))
        let ms = (ContinuousClock.now - start).milliseconds
        guard case .closed(let observed) = message else {
            Issue.record("expected a close, got \(message)")
            return
        }
        #expect(observed.received?.code == 1011)
        #expect(observed.received?.reason == "Internal error")
        #expect(ms > 280 && ms < 1800, "closed after \(ms) ms")
        await h.stop()
    }
}
