import Testing
import WebSocketProbe

@testable import WebSocketLab

@Suite("strip-upgrade fault")
struct StripUpgradeFaultTests {
    @Test func backendSeesPlainHTTPAndAnswers426() async throws {
        let h = try await ProxyHarness.start(faults: ["strip-upgrade"])
        let client = try await h.connect()
        #expect(await client.isOpen == false)
        #expect(await client.transcript().handshake?.status == 426)
        let direct = try await h.connect(direct: true)
        #expect(await direct.isOpen)
        await direct.close()
        await h.stop()
    }

    // MARK: - Without sockets

    @Test func theRequestLosesUpgradeAndConnectionAndBecomesHTTP10() throws {
        let (action, head) = try FaultStub("strip-upgrade").request()
        #expect(action == .forward)
        #expect(head.version == "HTTP/1.0")
        #expect(head.headers.first("Upgrade") == nil && head.headers.first("Connection") == nil)
        #expect(head.headers.first("Sec-WebSocket-Key") != nil)
    }
}
