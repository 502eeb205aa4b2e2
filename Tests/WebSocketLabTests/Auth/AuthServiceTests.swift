import Foundation
import Testing
import WebSocketAuth
import WebSocketLab
import WebSocketProbe

@Suite("Auth service over real HTTP")
struct AuthServiceTests {
    @Test func knownUserGetsAccessAndRefreshTokens() async throws {
        try await withLab(try testConfiguration()) { lab in
            let response = try await RawHTTP.request(
                port: lab.authPort, method: "POST", path: "/auth/token",
                body: #"{"email": "websocket-test-2@netra-testing.example.com"}"#)
            #expect(response.status == 200)
            let json = try #require(response.json)
            #expect(json["token_type"]?.stringValue == "bearer")
            #expect(json["expires_in"]?.numberValue == 3600)
            let access = try #require(json["access_token"]?.stringValue)
            let refresh = try #require(json["refresh_token"]?.stringValue)
            let verifier = TokenVerifier(secret: LabConfiguration.defaultSecret)
            let claims = try verifier.verify(access).get()
            #expect(claims.sub == "websocket-test-2")
            #expect(claims.permissions == ["websocket_access"])
            #expect(try verifier.verify(refresh, expecting: .refresh).get().type == .refresh)
        }
    }

    @Test func unknownUserGets401WithAJSONError() async throws {
        try await withLab(try testConfiguration()) { lab in
            let response = try await RawHTTP.request(
                port: lab.port, method: "POST", path: "/auth/token",
                body: #"{"email": "nobody@example.com"}"#)
            #expect(response.status == 401)
            #expect(response.header("content-type")?.hasPrefix("application/json") == true)
            #expect(response.json?["error"]?.stringValue == "unknown_user")
        }
    }

    @Test func refreshTradesARefreshTokenButNotAnAccessToken() async throws {
        try await withLab(try testConfiguration()) { lab in
            let tokens = try await RawHTTP.request(
                port: lab.port, method: "POST", path: "/auth/token",
                body: #"{"email": "websocket-test-1@netra-testing.example.com"}"#
            ).json
            let refresh = try #require(tokens?["refresh_token"]?.stringValue)
            let access = try #require(tokens?["access_token"]?.stringValue)
            let ok = try await RawHTTP.request(
                port: lab.port, method: "POST", path: "/auth/refresh",
                body: LabJSON.object(["refresh_token": .string(refresh)]).text)
            #expect(ok.status == 200)
            #expect(ok.json?["access_token"]?.stringValue?.isEmpty == false)
            let wrong = try await RawHTTP.request(
                port: lab.port, method: "POST", path: "/auth/refresh",
                body: LabJSON.object(["refresh_token": .string(access)]).text)
            #expect(wrong.status == 401)
            #expect(wrong.json?["error"]?.stringValue == "wrong-token-type")
        }
    }

    @Test func validateAcceptsOwnTokensAndRefusesForeignOnes() async throws {
        try await withLab(try testConfiguration()) { lab in
            let own = try await lab.mintToken(email: TestUser.enterprise.email)
            let valid = try await RawHTTP.request(
                port: lab.port, method: "POST", path: "/auth/validate",
                headers: [("Authorization", "Bearer \(own)")], body: "{}")
            #expect(valid.status == 200)
            #expect(valid.json?["valid"] == .bool(true))
            #expect(valid.json?["user_id"]?.stringValue == "websocket-test-1")
            let foreign = try TokenMinter.mint(secret: "a-completely-different-secret-0123456789", user: "x@example.com")
            let invalid = try await RawHTTP.request(
                port: lab.port, method: "POST", path: "/auth/validate",
                body: LabJSON.object(["token": .string(foreign)]).text)
            #expect(invalid.status == 401)
            #expect(invalid.json?["error"]?.stringValue == "invalid-signature")
        }
    }

    @Test func authServiceRunsOnItsOwnPortWhenAsked() async throws {
        var configuration = try testConfiguration()
        configuration.authPort = 0
        try await withLab(configuration) { lab in
            #expect(lab.authPort != lab.port)
            #expect(lab.authBaseURL.hasSuffix(":\(lab.authPort)"))
            let onAuth = try await RawHTTP.request(
                port: lab.authPort, method: "POST", path: "/auth/token",
                body: #"{"email": "websocket-test-1@netra-testing.example.com"}"#)
            #expect(onAuth.status == 200)
            let onBackend = try await RawHTTP.request(
                port: lab.port, method: "POST", path: "/auth/token",
                body: #"{"email": "websocket-test-1@netra-testing.example.com"}"#)
            #expect(onBackend.status == 404)
            #expect(try await RawHTTP.upgrade(port: lab.authPort).status != 101)
        }
    }

    @Test func oversizedBodyIsRefusedWith413() async throws {
        var configuration = try testConfiguration()
        configuration.maxBodyBytes = 1024
        try await withLab(configuration) { lab in
            let big = "{\"email\": \"" + String(repeating: "a", count: 4000) + "\"}"
            let response = try await RawHTTP.request(port: lab.port, method: "POST", path: "/auth/token", body: big)
            #expect(response.status == 413)
        }
    }
}
