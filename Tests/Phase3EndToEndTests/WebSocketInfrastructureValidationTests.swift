import Testing
import WebSocketDiagnosis
import WebSocketTestFramework

/// Phase 3: the front itself — TLS verified with the expected chain, upgrade through the front.
@Suite("Phase3 WebSocketInfrastructureValidationTests", .tags(.phase3, .e2e, .infrastructure))
struct Phase3WebSocketInfrastructureValidationTests {
    @Test("The front's TLS verifies and the upgrade through it returns 101 with the subprotocol", .realIO)
    func tlsAndUpgradeThroughTheFront() async throws {
        let target = try await LabFixture.shared.target(.front)
        let connection = await TestConnections.connect(target.clientConfiguration(token: try await target.token(for: TestUsers.agentUser)))
        let t = await TestConnections.close(connection)
        // A front (the lab's emulation or staging) serves wss://: a plain ws:// front fails this test.
        #expect(target.websocketURL.isSecure, "the front must serve wss://, got \(target.websocketURL)")
        let tls = try #require(t.tls, "no TLS observation: the connection did not use TLS")
        #expect(tls.verified, "TLS must verify: \(tls.failureDetail ?? "")")
        #expect(!tls.verificationDisabled)
        #expect(t.handshake?.status == 101)
        #expect(t.handshake?.subprotocol == "jwt-auth")
    }
}
