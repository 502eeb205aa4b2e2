import Crypto
import Foundation
import JWTKit

/// Verifies lab tokens: HS256 signature, expiry, issuer, audience and token type, each with its own rejection.
///
/// Verification is synchronous (an HMAC and a JSON decode), so a server can decide an upgrade on its event loop
/// without waiting for Swift's cooperative thread pool, which a busy process may keep occupied for seconds.
public struct TokenVerifier: Sendable {
    private let key: SymmetricKey
    /// The `iss` that is accepted.
    public let issuer: String
    /// The `aud` that is accepted.
    public let audience: String

    /// - Parameters:
    ///   - secret: the HS256 secret the tokens must be signed with.
    ///   - issuer: default ``LabClaims/defaultIssuer``.
    ///   - audience: default ``LabClaims/defaultAudience``.
    public init(secret: String, issuer: String = LabClaims.defaultIssuer, audience: String = LabClaims.defaultAudience) {
        self.key = SymmetricKey(data: Array(secret.utf8))
        self.issuer = issuer
        self.audience = audience
    }

    /// Verifies `token` and returns its claims, or the precise reason it is refused.
    ///
    /// The checks run in the order jwt-kit's `JWTKeyCollection.verify` runs them: the three parts, the header,
    /// the signature over `header.payload`, the claims, the expiry (at `now`, default the current time); then
    /// issuer, audience and token type.
    public func verify(_ token: String, expecting type: LabTokenType = .access, now: Date = Date()) -> Result<LabClaims, TokenRejection> {
        let token = token.trimmingCharacters(in: .whitespaces)
        guard !token.isEmpty else { return .failure(.missingToken) }
        let parts = token.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 3 else {
            return .failure(.malformed("expected three dot-separated parts"))
        }
        let parser = DefaultJWTParser()
        do {
            _ = try parser.jsonDecoder.decode(JWTHeader.self, from: Self.base64urlDecoded(parts[0]) ?? Data())
        } catch {
            return .failure(.malformed("the header is not base64url-encoded JSON"))
        }
        guard let signature = Self.base64urlDecoded(parts[2]) else {
            return .failure(.malformed("the signature is not base64url"))
        }
        let signingInput = Array(token.utf8.prefix(parts[0].utf8.count + 1 + parts[1].utf8.count))
        guard HMAC<SHA256>.isValidAuthenticationCode(signature, authenticating: signingInput, using: key) else {
            return .failure(.invalidSignature)
        }
        let claims: LabClaims
        do {
            claims = try parser.parse(Array(token.utf8), as: LabClaims.self).payload
        } catch let error as JWTError {
            return .failure(.malformed(error.reason ?? "\(error.errorType)"))
        } catch {
            return .failure(.malformed("claims could not be decoded"))
        }
        guard !claims.isExpired(at: now) else { return .failure(.expired) }
        guard claims.iss == issuer else { return .failure(.wrongIssuer(got: claims.iss, expected: issuer)) }
        guard claims.aud == audience else { return .failure(.wrongAudience(got: claims.aud, expected: audience)) }
        guard claims.type == type else { return .failure(.wrongType(got: claims.type, expected: type)) }
        return .success(claims)
    }

    /// Decodes unpadded base64url (RFC 7515 §2); `nil` when `part` is not base64url.
    static func base64urlDecoded(_ part: Substring) -> Data? {
        var text = part.replacingOccurrences(of: "-", with: "+").replacingOccurrences(of: "_", with: "/")
        guard !text.contains("=") else { return nil }
        while text.utf8.count % 4 != 0 { text += "=" }
        return Data(base64Encoded: text)
    }
}
