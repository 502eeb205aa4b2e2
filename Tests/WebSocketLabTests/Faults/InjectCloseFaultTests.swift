import Testing
import WebSocketDiagnosis
import WebSocketProbe

@testable import WebSocketLab

@Suite("inject-close fault")
struct InjectCloseFaultTests {
    @Test func clientReceivesA1011TheBackendNeverSent() async throws {
        let h = try await ProxyHarness.start(faults: ["inject-close:code=1011,reason=Internal error,after=600ms"])
        let client = try await h.connect()
        let message = await client.receive(timeout: .seconds(2))
        guard case .closed(let observed) = message else {
            Issue.record("expected a close, got \(message)")
            return
        }
        #expect(observed.received?.code == 1011)
        #expect(observed.received?.reason == "Internal error")
        let timing = try #require(await endTiming(client))
        #expect(timing.sinceStartMs > 580 && timing.sinceOpenMs < 1600, "closed \(timing)")
        await h.stop()
    }

    // MARK: - Without sockets

    @Test func armsACloseWithTheCodeAndReasonInItsDirection() throws {
        let stub = try FaultStub("inject-close:code=1001,reason=bye,after=1s")
        #expect(stub.configured.direction == .downstream)
        let timers = try #require(stub.fault(as: (any ConnectionTimerFault).self)).timers(direction: stub.configured.direction)
        let close = ConnectionAction.injectClose(code: 1001, reason: "bye", direction: .downstream)
        #expect(timers == [ConnectionTimer(start: .upgrade, after: .seconds(1), action: close)])
        let long = String(repeating: "x", count: 124)
        #expect { try FaultStub("inject-close:reason=\(long)") } throws: { "\($0)".contains("at most 123 bytes") }
    }
}
