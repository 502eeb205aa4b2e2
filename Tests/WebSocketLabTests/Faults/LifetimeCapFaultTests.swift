import Testing
import WebSocketDiagnosis
import WebSocketProbe

@testable import WebSocketLab

@Suite("lifetime-cap fault")
struct LifetimeCapFaultTests {
    @Test func pingsDoNotSaveALifetimeCappedConnection() async throws {
        // The cap counts from the proxy's accept (between the start of the connect and the open). The window
        // excludes "never ended" (pings for up to 6 s) and an end before the cap; the last pong shows traffic
        // close enough to the end that an idle timeout of the same length could not have fired.
        let h = try await ProxyHarness.start(faults: ["lifetime-cap:after=3s"])
        let start = ContinuousClock.now
        let client = try await h.connect()
        var pongs = 0
        while await client.isOpen, ContinuousClock.now - start < .seconds(6) {
            if await client.ping(timeout: .seconds(1)) != nil { pongs += 1 }
            try await Task.sleep(for: .milliseconds(100))
        }
        let observed = try #require(await client.waitForEnd(timeout: .seconds(1)))
        let timing = try #require(await endTiming(client))
        #expect(pongs >= 1, "traffic flowed before the cap")
        let t = await client.transcript()
        let lastPong = t.pings.compactMap(\.pongAtMs).max() ?? 0
        let end = t.close.atMs ?? 0
        #expect(end - lastPong < 2950, "the end came \(end - lastPong) ms after the last pong: an idle timeout, not a cap")
        #expect(observed.received == nil)
        #expect(observed.effectiveCode == 1006)
        #expect(timing.sinceStartMs > 2980 && timing.sinceOpenMs < 4200, "ended \(timing)")
        await h.stop()
    }

    // MARK: - Without sockets

    @Test func armsATimerFromTheAcceptThatClosesTheTransport() throws {
        let stub = try FaultStub("lifetime-cap:after=300s")
        let timers = try #require(stub.fault(as: (any ConnectionTimerFault).self)).timers(direction: .both)
        #expect(timers == [ConnectionTimer(start: .connect, after: .seconds(300), action: .closeTransport)])
    }
}
