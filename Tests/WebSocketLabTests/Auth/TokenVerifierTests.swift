import Crypto
import Foundation
import JWTKit
import Testing
import WebSocketAuth
import WebSocketDiagnosis
import WebSocketLab
import WebSocketProbe

@Suite("Lab tokens: minting and verification")
struct TokenVerifierTests {
    let secret = LabConfiguration.defaultSecret

    @Test func mintedTokenVerifiesWithAllClaims() async throws {
        let token = try TokenMinter.mint(
            secret: secret, user: TestUser.enterprise.email, userID: "websocket-test-1",
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

/// The lab's token checks against tokens other issuers produce: times ahead of the clock, an RFC 7519 audience
/// array, and algorithms the lab does not use (signed by hand, as another implementation would).
@Suite("Lab tokens: times, audience arrays and algorithms")
struct TokenVerifierInteropTests {
    let secret = LabConfiguration.defaultSecret
    let now = Date(timeIntervalSince1970: 1_900_000_000)

    func verifier(leeway: Duration = TokenVerifier.defaultLeeway) async -> TokenVerifier {
        let fixed = now
        return await TokenVerifier(secret: secret, leeway: leeway, now: { fixed })
    }

    func claims(iat: Int? = nil, nbf: Int? = nil, audiences: [String]? = nil) -> LabClaims {
        let issued = iat ?? Int(now.timeIntervalSince1970)
        var claims = LabClaims(
            sub: "u1", email: "u1@example.com", permissions: ["websocket_access"], iat: issued, exp: Int(now.timeIntervalSince1970) + 3600,
            iss: LabClaims.defaultIssuer, aud: LabClaims.defaultAudience, jti: "j1", type: .access, nbf: nbf)
        if let audiences { claims.audiences = audiences }
        return claims
    }

    /// A compact JWS with `header` over `claims`, signed with HMAC-`hash` (or `signature` as given).
    static func jws(header: String, payload: String, hmac: (any HashFunction.Type)?, secret: String, signature: String = "") -> String {
        let input = base64url(Array(header.utf8)) + "." + base64url(Array(payload.utf8))
        guard let hmac else { return input + "." + signature }
        let key = SymmetricKey(data: Array(secret.utf8))
        let mac: [UInt8] =
            switch hmac {
            case is SHA512.Type: Array(HMAC<SHA512>.authenticationCode(for: Array(input.utf8), using: key))
            case is SHA384.Type: Array(HMAC<SHA384>.authenticationCode(for: Array(input.utf8), using: key))
            default: Array(HMAC<SHA256>.authenticationCode(for: Array(input.utf8), using: key))
            }
        return input + "." + base64url(mac)
    }

    static func base64url(_ bytes: [UInt8]) -> String {
        Data(bytes).base64EncodedString().replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_")
            .replacingOccurrences(of: "=", with: "")
    }

    func payload(_ claims: LabClaims) throws -> String { String(decoding: try JSONEncoder().encode(claims), as: UTF8.self) }

    @Test func nbfAndIatAheadOfTheClockAreRefusedBeyondTheLeewayOnly() async throws {
        let verifier = await verifier()
        let t = Int(now.timeIntervalSince1970)
        let nbfFar = try await TokenMinter.sign(claims(nbf: t + 61), secret: secret)
        let nbfNear = try await TokenMinter.sign(claims(nbf: t + 60), secret: secret)
        let iatFar = try await TokenMinter.sign(claims(iat: t + 300), secret: secret)
        let iatNear = try await TokenMinter.sign(claims(iat: t + 45), secret: secret)
        let nbfPast = try await TokenMinter.sign(claims(nbf: t - 10), secret: secret)
        #expect(await verifier.verify(nbfFar).failureCode == "not-yet-valid")
        #expect(await verifier.verify(iatFar).failureCode == "issued-in-the-future")
        #expect(await verifier.verify(nbfNear).failureCode == nil, "within the 60 s leeway")
        #expect(await verifier.verify(iatNear).failureCode == nil, "within the 60 s leeway")
        #expect(await verifier.verify(nbfPast).failureCode == nil)
        guard case .failure(let rejection) = await verifier.verify(iatFar) else { return }
        #expect(rejection.message.contains("300 s ahead"), "\(rejection.message)")
        #expect(rejection.message.contains("clock"))
        // The leeway is configurable, and zero means none.
        #expect(await self.verifier(leeway: .zero).verify(iatNear).failureCode == "issued-in-the-future")
    }

    @Test func anAudienceArrayThatContainsTheAudienceIsAccepted() async throws {
        let verifier = await verifier()
        let array = try await TokenMinter.sign(claims(audiences: ["other-api", LabClaims.defaultAudience]), secret: secret)
        #expect(
            String(decoding: Data(base64Encoded: Self.padded(array.split(separator: ".")[1])) ?? Data(), as: UTF8.self)
                .contains(#""aud":["other-api","netra-backend"]"#), "the token really carries an array")
        let verified = try await verifier.verify(array).get()
        #expect(verified.audiences == ["other-api", LabClaims.defaultAudience])
        let without = try await TokenMinter.sign(claims(audiences: ["other-api", "third-api"]), secret: secret)
        #expect(await verifier.verify(without).failureCode == "wrong-audience")
        let empty = try await TokenMinter.sign(claims(audiences: []), secret: secret)
        #expect(await verifier.verify(empty).failureCode == "wrong-audience")
    }

    static func padded(_ part: Substring) -> String {
        var b64 = part.replacingOccurrences(of: "-", with: "+").replacingOccurrences(of: "_", with: "/")
        while b64.count % 4 != 0 { b64 += "=" }
        return b64
    }

    @Test func anotherAlgorithmIsNamedAsUnsupportedNotAsAWrongSecret() async throws {
        let verifier = await verifier()
        let body = try payload(claims())
        let hs512 = Self.jws(header: #"{"alg":"HS512","typ":"JWT"}"#, payload: body, hmac: SHA512.self, secret: secret)
        let hs384 = Self.jws(header: #"{"alg":"HS384","typ":"JWT"}"#, payload: body, hmac: SHA384.self, secret: secret)
        let none = Self.jws(header: #"{"alg":"none","typ":"JWT"}"#, payload: body, hmac: nil, secret: secret)
        let rs256 = Self.jws(header: #"{"alg":"RS256","typ":"JWT"}"#, payload: body, hmac: nil, secret: secret, signature: "c2lnbmF0dXJl")
        for (token, alg) in [(hs512, "HS512"), (hs384, "HS384"), (none, "none"), (rs256, "RS256")] {
            let result = await verifier.verify(token)
            #expect(result.failureCode == "unsupported-algorithm", "\(alg): \(result)")
            guard case .failure(let rejection) = result else { continue }
            #expect(rejection.message == "unsupported algorithm '\(alg)'; the lab signs and accepts HS256")
            #expect(!rejection.message.contains("secret"))
        }
        // The same claims signed by hand with HS256 verify: the refusal above is the algorithm, nothing else.
        let hs256 = Self.jws(header: #"{"alg":"HS256","typ":"JWT"}"#, payload: body, hmac: SHA256.self, secret: secret)
        #expect(await verifier.verify(hs256).failureCode == nil)
        let noAlg = Self.jws(header: #"{"typ":"JWT"}"#, payload: body, hmac: SHA256.self, secret: secret)
        #expect(await verifier.verify(noAlg).failureCode == "malformed-token")
    }

    @Test func aSecretShorterThan32BytesSignsAsEveryHS256ImplementationDoes() async throws {
        for short in ["s", "staging-secret", String(repeating: "k", count: 31)] {
            let token = try await TokenMinter.mint(secret: short, user: "u1@example.com")
            let parts = token.split(separator: ".")
            // RFC 7515's HS256 over the first two parts with the short key as given.
            let expected = HMAC<SHA256>.authenticationCode(
                for: Array("\(parts[0]).\(parts[1])".utf8), using: SymmetricKey(data: Array(short.utf8)))
            #expect(String(parts[2]) == Self.base64url(Array(expected)), "secret of \(short.utf8.count) bytes")
            #expect(await TokenVerifier(secret: short).verify(token).failureCode == nil)
            #expect(await TokenVerifier(secret: short + "x").verify(token).failureCode == "invalid-signature")
            #expect(TokenMinter.shortSecretWarning(short)?.contains("\(short.utf8.count) byte") == true)
        }
        #expect(TokenMinter.shortSecretWarning(secret) == nil)
    }
}
