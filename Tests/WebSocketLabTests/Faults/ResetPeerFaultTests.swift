import Testing
import WebSocketDiagnosis
import WebSocketProbe

@testable import WebSocketLab

@Suite("reset-peer fault")
struct ResetPeerFaultTests {
    @Test func connectionIsResetWithoutACloseFrame() async throws {
        let h = try await ProxyHarness.start(faults: ["reset-peer:after=600ms"])
        let client = try await h.connect()
        // It opened (asked of the transcript: by the time this task resumes on a busy machine, the fault may
        // already have ended the connection — that end is what the test checks).
        #expect(await client.transcript().timings.openAtMs != nil)
        let observed = try #require(await client.waitForEnd(timeout: .seconds(3)))
        let timing = try #require(await endTiming(client))
        #expect(observed.received == nil)
        #expect(observed.transportEnd == .reset)
        #expect(timing.sinceStartMs > 580 && timing.sinceOpenMs < 1600, "ended \(timing)")
        await h.stop()
    }

    // MARK: - Without sockets

    @Test func armsAResetTimerFromTheUpgrade() throws {
        let stub = try FaultStub("reset-peer:after=250ms")
        let timers = try #require(stub.fault(as: (any ConnectionTimerFault).self)).timers(direction: stub.configured.direction)
        #expect(timers == [ConnectionTimer(start: .upgrade, after: .milliseconds(250), action: .reset)])
        #expect(try FaultStub("reset-peer").fault(as: ResetPeerFault.self)?.after == .zero)
    }
}
