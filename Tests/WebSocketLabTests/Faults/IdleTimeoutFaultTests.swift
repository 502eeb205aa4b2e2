import Testing
import WebSocketDiagnosis
import WebSocketProbe

@testable import WebSocketLab

@Suite("idle-timeout fault")
struct IdleTimeoutFaultTests {
    @Test func silentConnectionEndsWithoutACloseFrameAfterTheIdleTime() async throws {
        let h = try await ProxyHarness.start(faults: ["idle-timeout:after=500ms"])
        let client = try await h.connect()
        // It opened (asked of the transcript: by the time this task resumes on a busy machine, the fault may
        // already have ended the connection — that end is what the test checks).
        #expect(await client.transcript().timings.openAtMs != nil)
        let observed = try #require(await client.waitForEnd(timeout: .seconds(3)))
        let timing = try #require(await endTiming(client))
        #expect(observed.received == nil)
        #expect(observed.effectiveCode == 1006)
        // The idle timer restarts with the last byte (the 101 response, just before the open).
        #expect(timing.sinceStartMs > 480 && timing.sinceOpenMs < 1500, "ended \(timing)")
        await h.stop()
    }

    @Test func idleTimeoutGoesAwayWithPings() async throws {
        // 1.5 s of allowed silence against a ping every 150 ms: a stall of the loaded test process does not
        // starve the connection into the timeout, and 3.3 s of pings still outlast it more than twice.
        let h = try await ProxyHarness.start(faults: ["idle-timeout:after=1500ms"])
        let client = try await h.connect()
        let start = ContinuousClock.now
        var pongs = 0
        while ContinuousClock.now - start < .milliseconds(3300), await client.isOpen {
            try await Task.sleep(for: .milliseconds(150))
            if await client.ping(timeout: .seconds(1)) != nil { pongs += 1 }
        }
        #expect(pongs >= 5, "pings flowed (\(pongs) pongs)")
        #expect(await client.isOpen, "still open after \(ContinuousClock.now - start) of pings")
        await client.close()
        await h.stop()
    }

    // MARK: - Without sockets

    @Test func armsAnIdleTimerInItsDirectionThatClosesTheTransport() throws {
        let stub = try FaultStub("idle-timeout:after=2s,direction=downstream")
        let timers = try #require(stub.fault(as: (any ConnectionTimerFault).self)).timers(direction: stub.configured.direction)
        #expect(timers == [ConnectionTimer(start: .idle(.downstream), after: .seconds(2), action: .closeTransport)])
        #expect { try FaultStub("idle-timeout") } throws: { "\($0)".contains("missing parameter 'after'") }
    }
}
