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

    // MARK: - Without sockets

    @Test func upgradesAreAnsweredWithTheStatusAndPlainRequestsPass() throws {
        let stub = try FaultStub("reject-upgrade")
        #expect(stub.request().0 == .respond(status: 503, body: "Service Unavailable"))
        #expect(stub.request(FaultStub.request(upgrade: false)).0 == .forward)
        #expect(try FaultStub("reject-upgrade:status=429,body=slow down").request().0 == .respond(status: 429, body: "slow down"))
        #expect { try FaultStub("reject-upgrade:status=500") } throws: {
            "\($0)".contains("'status' must be one of 403, 429, 502, 503, 504")
        }
    }
}
