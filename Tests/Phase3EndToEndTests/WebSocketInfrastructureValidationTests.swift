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
        if target.isLab {
            #expect(target.websocketURL.isSecure, "the lab's emulated front serves wss:// from the lab CA")
        }
        if target.websocketURL.isSecure {
            #expect(t.tls?.verified == true, "TLS must verify: \(t.tls?.failureDetail ?? "")")
            #expect(t.tls?.verificationDisabled == false)
        }
        #expect(t.handshake?.status == 101)
        #expect(t.handshake?.subprotocol == "jwt-auth")
    }
}
