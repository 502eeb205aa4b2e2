import Foundation
import NIOSSL
import Testing
import WebSocketDiagnosis
import WebSocketLab
import WebSocketProbe

@Suite("WebSocket client: TLS verification and precise failures")
struct WebSocketClientTLSTests {
    static let authority: LabCertificateAuthority? = try? LabCertificateAuthority.generate()

    private func startServer(_ variant: TLSVariant) async throws -> (ClientTestServer, LabCertificateAuthority) {
        let ca = try #require(Self.authority)
        let server = try await ClientTestServer.start(tls: try ca.makeServerContext(variant)) { peer in
            try await peer.acceptUpgrade()
            try await peer.echoLoop()
        }
        return (server, ca)
    }

    @Test func validChainVerifiesAgainstThePrivateRoot() async throws {
        let (server, ca) = try await startServer(.valid)
        defer { Task { await server.stop() } }
        var configuration = ClientConfiguration.forTest(try WebSocketURL(parsing: "wss://localhost:\(server.port)/ws"))
        configuration.tls.trustRootsPEM = [ca.rootCertificatePEM]
        let connection = await WebSocketConnection.connect(configuration)
        #expect(await connection.isOpen)
        await connection.send(text: "over tls")
        #expect(await connection.receive() == .text("over tls"))
        await connection.close()
        let t = await connection.transcript()
        let tls = try #require(t.tls)
        #expect(tls.verified)
        #expect(!tls.verificationDisabled)
        #expect(tls.failure == nil)
        #expect(tls.chain.count == 2)
        #expect(tls.chain.first?.subjectAlternativeNames.contains("localhost") == true)
        #expect(tls.chain.first?.subjectAlternativeNames.contains("::1") == true)
        #expect(tls.chain.last?.isCA == true)
        #expect(tls.protocolVersion == "TLSv1.3")
        #expect(t.timings.tlsMs != nil)
        #expect(t.close.transportEnd != .stillOpen)
    }

    @Test func caFileIsTrusted() async throws {
        let (server, ca) = try await startServer(.valid)
        defer { Task { await server.stop() } }
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("ws1011-root-\(UUID().uuidString).pem").path
        try ca.writeRootPEM(to: path)
        defer { try? FileManager.default.removeItem(atPath: path) }
        var configuration = ClientConfiguration.forTest(try server.url(scheme: "wss"))
        configuration.tls.caFile = path
        let connection = await WebSocketConnection.connect(configuration)
        #expect(await connection.isOpen)
        #expect(await connection.transcript().tls?.verified == true)
        await connection.close()
    }

    @Test(arguments: [
        (TLSVariant.expired, TLSFailureReason.expired),
        (.notYetValid, .notYetValid),
        (.wrongHost, .hostnameMismatch),
        (.selfSigned, .selfSigned),
        (.noIntermediate, .missingIntermediate),
    ])
    func brokenChainsFailWithAPreciseReason(variant: TLSVariant, reason: TLSFailureReason) async throws {
        let (server, ca) = try await startServer(variant)
        defer { Task { await server.stop() } }
        var configuration = ClientConfiguration.forTest(try server.url(scheme: "wss"))
        configuration.tls.trustRootsPEM = [ca.rootCertificatePEM]
        let connection = await WebSocketConnection.connect(configuration)
        #expect(await !connection.isOpen)
        let t = await connection.transcript()
        #expect(t.tls?.failure == reason)
        #expect(t.tls?.verified == false)
        #expect(t.tls?.chain.isEmpty == false)
        #expect(t.failure?.stage == .tls)
        #expect(t.failure?.kind == "tls-failure")
        #expect(t.request == nil)
    }

    @Test func untrustedRootIsAnUnknownIssuer() async throws {
        let (server, _) = try await startServer(.valid)
        defer { Task { await server.stop() } }
        let connection = await WebSocketConnection.connect(.forTest(try server.url(scheme: "wss")))
        let t = await connection.transcript()
        #expect(t.tls?.failure == .unknownIssuer)
        #expect(t.tls?.chain.count == 2)
    }

    @Test func wssToAPlaintextPortIsRecognised() async throws {
        let server = try await ClientTestServer.start { peer in
            try await peer.write("HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\n\r\n")
            await peer.waitForEOF()
        }
        defer { Task { await server.stop() } }
        let connection = await WebSocketConnection.connect(.forTest(try server.url(scheme: "wss")))
        let t = await connection.transcript()
        #expect(t.tls?.failure == .plaintextPort)
        #expect(t.failure?.stage == .tls)
        #expect(await !connection.isOpen)
    }

    @Test func insecureModeConnectsToASelfSignedServerAndSaysSo() async throws {
        let (server, _) = try await startServer(.selfSigned)
        defer { Task { await server.stop() } }
        var configuration = ClientConfiguration.forTest(try server.url(scheme: "wss"))
        configuration.tls.insecure = true
        let connection = await WebSocketConnection.connect(configuration)
        #expect(await connection.isOpen)
        let t = await connection.transcript()
        #expect(t.tls?.verificationDisabled == true)
        #expect(t.tls?.verified == false)
        #expect(t.tls?.chain.count == 1)
        await connection.close()
    }

    @Test func unreadableCAFileIsAConfigurationFailure() async throws {
        var configuration = ClientConfiguration.forTest(try WebSocketURL(parsing: "wss://127.0.0.1:1/"))
        configuration.tls.caFile = "/nonexistent/ws1011/ca.pem"
        let connection = await WebSocketConnection.connect(configuration)
        let t = await connection.transcript()
        #expect(t.failure?.kind == "tls-configuration")
        #expect(t.failure?.detail.contains("/nonexistent/ws1011/ca.pem") == true)
        #expect(t.close.transportEnd == .notConnected)
        #expect(t.wire.bytesOut == 0)
    }
}
