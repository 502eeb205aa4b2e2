import Foundation
import Testing
import WebSocketAuth
import WebSocketProbe

@testable import WebSocketLab

/// The lab's signing secret against its bind address, and what a short or foreign-issued token does on real sockets.
@Suite("Lab signing secret and exposure")
struct LabSecretTests {
    func configuration(host: String, secret: String) -> LabConfiguration {
        var configuration = LabConfiguration()
        configuration.host = host
        configuration.jwtSecret = secret
        return configuration
    }

    @Test(arguments: ["0.0.0.0", "::", "192.0.2.7", "lab.example.internal"])
    func thePublicDefaultSecretIsRefusedOffLoopbackNamingTheFix(_ host: String) async throws {
        let error = #expect(throws: LabError.self) { try configuration(host: host, secret: LabConfiguration.defaultSecret).checkSecret() }
        let text = error?.description ?? ""
        #expect(text.contains("public"), "\(text)")
        #expect(text.contains("--secret-file"), "\(text)")
        #expect(text.contains("WS1011_JWT_SECRET"), "\(text)")
        #expect(text.contains("127.0.0.1"), "\(text)")
        // LabServer.start refuses before it binds anything.
        await #expect(throws: LabError.self) {
            _ = try await LabServer.start(configuration(host: host, secret: LabConfiguration.defaultSecret))
        }
        let short = #expect(throws: LabError.self) { try configuration(host: host, secret: "short-staging-secret").checkSecret() }
        #expect(short?.description.contains("20 bytes") == true, "\(short?.description ?? "")")
        #expect(short?.description.contains("at least 32") == true)
        #expect(short?.description.contains("short-staging-secret") == false, "the secret itself is never in a message")
        try configuration(host: host, secret: String(repeating: "k", count: 32)).checkSecret()
    }

    @Test(arguments: ["127.0.0.1", "::1", "localhost", "127.0.0.2"])
    func onLoopbackTheDefaultAndShortSecretsAreAccepted(_ host: String) throws {
        try configuration(host: host, secret: LabConfiguration.defaultSecret).checkSecret()
        try configuration(host: host, secret: "s").checkSecret()
        #expect(throws: LabError.self) { try configuration(host: host, secret: "").checkSecret() }
    }

    @Test func aLabWithAShortSecretIssuesTokensItsBackendAccepts() async throws {
        var configuration = try testConfiguration()
        configuration.jwtSecret = "staging"
        try await withLab(configuration) { lab in
            let (connection, welcome) = try await connectUser(lab)
            #expect(welcome?["type"]?.stringValue == "connection_established", "\(String(describing: welcome))")
            await connection.close(code: 1000)
            // And a token minted elsewhere with the same 7-byte secret (ws1011 diagnose --secret) is accepted too.
            let outside = try await TokenMinter.mint(secret: "staging", user: TestUser.enterprise.email)
            let validate = try await RawHTTP.request(
                port: lab.port, method: "POST", path: "/auth/validate", body: #"{"token": "\#(outside)"}"#)
            #expect(validate.status == 200, "\(validate.body)")
        }
    }

    @Test func theLabRefusesAForeignAlgorithmAndAFutureTokenSayingWhyAndAcceptsAnAudienceArray() async throws {
        try await withLab(try testConfiguration()) { lab in
            let now = Int(Date().timeIntervalSince1970)
            var future = LabClaims(
                sub: "websocket-test-1", email: TestUser.enterprise.email, permissions: TestUser.enterprise.permissions, iat: now,
                exp: now + 3600, iss: LabClaims.defaultIssuer, aud: LabClaims.defaultAudience, jti: "j", type: .access, nbf: now + 600)
            let notYet = try await TokenMinter.sign(future, secret: LabConfiguration.defaultSecret)
            let refusal = try await RawHTTP.upgrade(port: lab.port, headers: [("Authorization", "Bearer \(notYet)")])
            #expect(refusal.status == 403)
            #expect(refusal.json?["error"]?.stringValue == "not-yet-valid", "\(refusal.body)")
            future.nbf = nil
            future.audiences = ["another-api", LabClaims.defaultAudience]
            let arrayAudience = try await TokenMinter.sign(future, secret: LabConfiguration.defaultSecret)
            let accepted = try await RawHTTP.request(
                port: lab.port, method: "POST", path: "/auth/validate",
                headers: [("Authorization", "Bearer \(arrayAudience)")], body: "{}")
            #expect(accepted.status == 200, "\(accepted.body)")
            let body = String(decoding: try JSONEncoder().encode(future), as: UTF8.self)
            let none = TokenVerifierInteropTests.jws(header: #"{"alg":"none"}"#, payload: body, hmac: nil, secret: "")
            let unsupported = try await RawHTTP.upgrade(port: lab.port, headers: [("Authorization", "Bearer \(none)")])
            #expect(unsupported.status == 403)
            #expect(unsupported.json?["message"]?.stringValue == "unsupported algorithm 'none'; the lab signs and accepts HS256")
        }
    }

    @Test func aWildcardIsWrittenAsLoopbackInURLs() {
        #expect(ListenHost("0.0.0.0").urlHost == "127.0.0.1")
        #expect(ListenHost("::").urlHost == "[::1]")
        #expect(ListenHost("[::]").isWildcard)
        #expect(ListenHost("::1").urlHost == "[::1]")
        #expect(ListenHost("192.0.2.7").urlHost == "192.0.2.7")
        #expect(ListenHost("::ffff:127.0.0.1").isLoopback)
        #expect(!ListenHost("0.0.0.0").isLoopback)
        #expect(!ListenHost("128.0.0.1").isLoopback)
        #expect(!ListenHost("localhost.evil.example").isLoopback)
        #expect(!ListenHost.externalAddresses().contains { $0.hasPrefix("127.") || $0 == "[::1]" })
    }
}
