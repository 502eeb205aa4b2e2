import Testing
import WebSocketDiagnosis
import WebSocketProbe

@testable import WebSocketLab

@Suite("idle-timeout fault")
struct IdleTimeoutFaultTests {
    @Test func silentConnectionEndsWithoutACloseFrameAfterTheIdleTime() async throws {
        let h = try await ProxyHarness.start(faults: ["idle-timeout:after=500ms"])
        let client = try await h.connect()
        #expect(await client.isOpen)
        let observed = try #require(await client.waitForEnd(timeout: .seconds(3)))
        let timing = try #require(await endTiming(client))
        #expect(observed.received == nil)
        #expect(observed.effectiveCode == 1006)
        // The idle timer restarts with the last byte (the 101 response, just before the open).
        #expect(timing.sinceStartMs > 480 && timing.sinceOpenMs < 1500, "ended \(timing)")
        await h.stop()
    }

    @Test func idleTimeoutGoesAwayWithPings() async throws {
        let h = try await ProxyHarness.start(faults: ["idle-timeout:after=500ms"])
        let client = try await h.connect()
        for _ in 0..<8 {
            try await Task.sleep(for: .milliseconds(150))
            #expect(await client.ping(timeout: .seconds(1)) != nil)
        }
        // 1.2 s of pings: more than twice the idle time, still open.
        #expect(await client.isOpen)
        await client.close()
        await h.stop()
    }
}
