import NIOCore
import Testing
import WebSocketProbe

@testable import WebSocketLab

/// What an open tunnel keeps: no bound on the request or response head is left in its event loop's timer heap
/// (the loop looks at the heap on every tick), and the clock is read per read only while an idle timer watches.
@Suite("Fault proxy tunnel housekeeping")
struct ProxyTunnelHousekeepingTests {
    /// The one open connection's pending head bounds and whether it tracks activity, read on its loop.
    static func tunnelState(_ proxy: FaultProxy) async throws -> (headBounds: Int, tracksActivity: Bool) {
        let open = proxy.openConnections
        try #require(open.count == 1)
        let connection = open[0]
        return try await connection.eventLoop.submit {
            (connection.handshakeTimers.count, connection.up.tracksActivity || connection.down.tracksActivity)
        }.get()
    }

    @Test func anOpenTunnelHoldsNoHeadBoundsAndReadsNoClockWithoutAnIdleTimer() async throws {
        let h = try await ProxyHarness.start()
        let client = try await h.connect()
        await client.send(text: "hello")
        #expect(await client.receive() == .text("hello"))
        let state = try await Self.tunnelState(h.proxy)
        #expect(state.headBounds == 0)
        #expect(!state.tracksActivity)
        await client.close()
        await h.stop()
    }

    @Test func anIdleTimerMakesTheTunnelTrackActivity() async throws {
        // Long enough never to fire here; that traffic keeps such a timer off is IdleTimeoutFaultTests' case.
        let h = try await ProxyHarness.start(faults: ["idle-timeout:after=60s"])
        let client = try await h.connect()
        await client.send(text: "hello")
        #expect(await client.receive() == .text("hello"))
        let state = try await Self.tunnelState(h.proxy)
        #expect(state.headBounds == 0)
        #expect(state.tracksActivity)
        await client.close()
        await h.stop()
    }
}
