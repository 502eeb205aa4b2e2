import Foundation
import JWTKit
import Testing
import WebSocketDiagnosis
import WebSocketLab
import WebSocketProbe

@Suite("Lab tokens: minting and verification")
struct TokenVerifierTests {
    let secret = LabConfiguration.defaultSecret

    @Test func mintedTokenVerifiesWithAllClaims() async throws {
        let token = try TokenMinter.mint(secret: secret, user: TestUser.enterprise.email, userID: "websocket-test-1",
                                               permissions: TestUser.enterprise.permissions, expiresIn: .seconds(600))
        let claims = try TokenVerifier(secret: secret).verify(token).get()
        #expect(claims.sub == "websocket-test-1")
        #expect(claims.email == TestUser.enterprise.email)
        #expect(claims.permissions == ["websocket_access", "agent_execution"])
        #expect(claims.exp - claims.iat == 600)
        #expect(claims.iss == LabClaims.defaultIssuer)
        #expect(claims.aud == LabClaims.defaultAudience)
        #expect(claims.type == .access)
        #expect(!claims.jti.isEmpty)
    }

    @Test func expAndIatAreIntegerSecondsOnTheWire() async throws {
        let token = try TokenMinter.mint(secret: secret, user: "a@example.com")
        let payload = String(token.split(separator: ".")[1])
        var b64 = payload.replacingOccurrences(of: "-", with: "+").replacingOccurrences(of: "_", with: "/")
        while b64.count % 4 != 0 { b64 += "=" }
        let data = try #require(Data(base64Encoded: b64))
        let json = try #require(LabJSON.parse(String(decoding: data, as: UTF8.self)))
        let exp = try #require(json["exp"]?.numberValue)
        #expect(exp == exp.rounded())
        #expect(json["type"]?.stringValue == "access")
    }

    @Test func expiredTokenIsRejectedAsExpired() async throws {
        let token = try TokenMinter.mint(secret: secret, user: "a@example.com", expiresIn: .seconds(-10))
        #expect(TokenVerifier(secret: secret).verify(token) == .failure(.expired))
    }

    @Test func tokenSignedWithAnotherSecretIsRejectedAsInvalidSignature() async throws {
        let token = try TokenMinter.mint(secret: "another-secret-that-is-at-least-32-bytes", user: "a@example.com")
        #expect(TokenVerifier(secret: secret).verify(token) == .failure(.invalidSignature))
    }

    @Test func wrongAudienceAndIssuerAndTypeAreRejectedPrecisely() async throws {
        let verifier = TokenVerifier(secret: secret)
        let aud = try TokenMinter.mint(secret: secret, user: "a@example.com", audience: "someone-else")
        #expect(verifier.verify(aud).failureCode == "wrong-audience")
        let iss = try TokenMinter.mint(secret: secret, user: "a@example.com", issuer: "evil")
        #expect(verifier.verify(iss).failureCode == "wrong-issuer")
        let refresh = try TokenMinter.mint(secret: secret, user: "a@example.com", type: .refresh)
        #expect(verifier.verify(refresh).failureCode == "wrong-token-type")
        #expect(verifier.verify(refresh, expecting: .refresh).failureCode == nil)
    }

    @Test func tokensInteroperateWithJWTKitBothWays() async throws {
        // The minter and the verifier are synchronous (HMAC-SHA256 by hand): jwt-kit must agree with them.
        let keys = JWTKeyCollection()
        await keys.add(hmac: HMACKey(from: secret), digestAlgorithm: .sha256)
        let ours = try TokenMinter.mint(secret: secret, user: "a@example.com", expiresIn: .seconds(600))
        let claims = try await keys.verify(ours, as: LabClaims.self)
        #expect(claims.email == "a@example.com")
        let theirs = try await keys.sign(claims)
        #expect(TokenVerifier(secret: secret).verify(theirs) == .success(claims))
        var b64 = String(ours.split(separator: ".")[0]).replacingOccurrences(of: "-", with: "+").replacingOccurrences(of: "_", with: "/")
        while b64.count % 4 != 0 { b64 += "=" }
        let header = try #require(Data(base64Encoded: b64))
        #expect(LabJSON.parse(String(decoding: header, as: UTF8.self))?["alg"]?.stringValue == "HS256")
    }

    @Test func aTamperedPayloadIsAnInvalidSignature() throws {
        let token = try TokenMinter.mint(secret: secret, user: "a@example.com")
        let parts = token.split(separator: ".").map(String.init)
        let forged = Redactor.base64url(#"{"sub":"admin"}"#)
        #expect(TokenVerifier(secret: secret).verify([parts[0], forged, parts[2]].joined(separator: ".")) == .failure(.invalidSignature))
    }

    @Test func garbageIsRejectedAsMalformed() async throws {
        let verifier = TokenVerifier(secret: secret)
        #expect(verifier.verify("not-a-token").failureCode == "malformed-token")
        #expect(verifier.verify("a.b.c").failureCode == "malformed-token")
        #expect(verifier.verify("").failureCode == "missing-token")
    }
}

extension Result where Success == LabClaims, Failure == TokenRejection {
    var failureCode: String? {
        if case .failure(let rejection) = self { return rejection.code }
        return nil
    }
}
