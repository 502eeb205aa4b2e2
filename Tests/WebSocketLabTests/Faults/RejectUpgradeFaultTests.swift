import Testing
import WebSocketProbe

@testable import WebSocketLab

@Suite("reject-upgrade fault")
struct RejectUpgradeFaultTests {
    @Test(arguments: [403, 429, 502, 503, 504])
    func upgradeIsAnsweredWithTheStatusAndABody(status: Int) async throws {
        let h = try await ProxyHarness.start(faults: ["reject-upgrade:status=\(status)"])
        let client = try await h.connect()
        #expect(await client.isOpen == false)
        let handshake = await client.transcript().handshake
        #expect(handshake?.status == status)
        #expect(handshake?.bodyPreview == RejectUpgradeFault.defaultBody(status))
        await h.stop()
    }
}
