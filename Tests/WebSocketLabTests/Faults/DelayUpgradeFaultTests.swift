import Testing
import WebSocketProbe

@testable import WebSocketLab

@Suite("delay-upgrade fault")
struct DelayUpgradeFaultTests {
    @Test func upgradeIsHeldForTheColdStart() async throws {
        let h = try await ProxyHarness.start(faults: ["delay-upgrade:for=500ms"])
        let client = try await h.connect()
        #expect(await client.isOpen)
        // Held at least the cold start, from the request leaving to the response head arriving (both taken on the
        // client's event loop; the proxy's 500 ms start when the request reaches it). The upper bound is the
        // client's upgrade timeout: it opened.
        let timings = await client.transcript().timings
        let held = (timings.responseHeadAtMs ?? 0) - (timings.requestWrittenAtMs ?? .infinity)
        #expect(held >= 495, "response head \(held) ms after the request; configured 500 ms")
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

    // MARK: - Without sockets

    @Test func onlyTheFirstCountUpgradesAreHeld() throws {
        let stub = try FaultStub("delay-upgrade:for=2s,count=1")
        #expect(stub.request(upgradeNumber: 1).0 == .delay(.seconds(2)))
        #expect(stub.request(upgradeNumber: 2).0 == .forward)
        #expect(stub.request(FaultStub.request(upgrade: false), upgradeNumber: 1).0 == .forward)
        #expect(try FaultStub("delay-upgrade:for=1s").request(upgradeNumber: 99).0 == .delay(.seconds(1)))
    }
}
