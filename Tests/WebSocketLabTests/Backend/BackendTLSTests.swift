import Foundation
import Testing
import WebSocketDiagnosis
import WebSocketLab
import WebSocketProbe

@Suite("Backend over TLS: wss:// with the lab's certificate authority")
struct BackendTLSTests {
    @Test func validChainServesWSSAndTheWelcome() async throws {
        var configuration = try testConfiguration()
        configuration.tls = .valid
        try await withLab(configuration) { lab in
            #expect(lab.websocketURL.hasPrefix("wss://127.0.0.1:"))
            let pem = try #require(lab.rootCertificatePEM)
            var client = try clientConfiguration(lab, token: try await lab.mintToken(email: TestUser.enterprise.email))
            client.tls.trustRootsPEM = [pem]
            let connection = await WebSocketConnection.connect(client)
            #expect(await connection.isOpen)
            #expect(await receiveJSON(connection)?.type == "connection_established")
            let transcript = await connection.transcript()
            #expect(transcript.tls?.verified == true)
            await connection.close()
        }
    }

    @Test(arguments: [(TLSVariant.expired, TLSFailureReason.expired), (.wrongHost, .hostnameMismatch)])
    func brokenChainFailsTheHandshakeWithItsReason(variant: TLSVariant, reason: TLSFailureReason) async throws {
        var configuration = try testConfiguration()
        configuration.tls = variant
        try await withLab(configuration) { lab in
            var client = try clientConfiguration(lab, token: try await lab.mintToken(email: TestUser.enterprise.email))
            client.tls.trustRootsPEM = [try #require(lab.rootCertificatePEM)]
            let connection = await WebSocketConnection.connect(client)
            #expect(await !connection.isOpen)
            let transcript = await connection.transcript()
            #expect(transcript.failure?.stage == .tls)
            #expect(transcript.tls?.failure == reason)
        }
    }
}
