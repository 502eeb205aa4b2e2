import Testing
import WebSocketProbe

@testable import WebSocketLab

@Suite("delay-upgrade fault")
struct DelayUpgradeFaultTests {
    @Test func upgradeIsHeldForTheColdStart() async throws {
        let h = try await ProxyHarness.start(faults: ["delay-upgrade:for=500ms"])
        let (client, ms) = try await elapsedMs { try await h.connect() }
        #expect(await client.isOpen)
        // Held at least the cold start; the upper bound is the client's 3 s upgrade timeout (it opened).
        #expect(ms >= 480 && ms < 3000, "upgrade took \(ms) ms")
        await client.close()
        await h.stop()
    }

    @Test func clientHandshakeTimeoutFiresFirstOnALongColdStart() async throws {
        let h = try await ProxyHarness.start(faults: ["delay-upgrade:for=2s"])
        let client = try await h.connect { $0.timeouts.upgrade = .milliseconds(300) }
        #expect(await client.isOpen == false)
        #expect(await client.transcript().failure?.kind == "handshake-timeout")
        await h.stop()
    }
}
