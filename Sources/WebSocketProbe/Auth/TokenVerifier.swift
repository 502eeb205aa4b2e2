import Foundation
import JWTKit

/// Verifies lab tokens: HS256 signature, expiry, issuer, audience and token type, each with its own rejection.
public struct TokenVerifier: Sendable {
    private let keys: JWTKeyCollection
    /// The `iss` that is accepted.
    public let issuer: String
    /// The `aud` that is accepted.
    public let audience: String

    /// - Parameters:
    ///   - secret: the HS256 secret the tokens must be signed with.
    ///   - issuer: default ``LabClaims/defaultIssuer``.
    ///   - audience: default ``LabClaims/defaultAudience``.
    public init(secret: String, issuer: String = LabClaims.defaultIssuer, audience: String = LabClaims.defaultAudience) async {
        let keys = JWTKeyCollection()
        await keys.add(hmac: HMACKey(from: secret), digestAlgorithm: .sha256)
        self.keys = keys
        self.issuer = issuer
        self.audience = audience
    }

    /// Verifies `token` and returns its claims, or the precise reason it is refused.
    public func verify(_ token: String, expecting type: LabTokenType = .access) async -> Result<LabClaims, TokenRejection> {
        let token = token.trimmingCharacters(in: .whitespaces)
        guard !token.isEmpty else { return .failure(.missingToken) }
        guard token.split(separator: ".", omittingEmptySubsequences: false).count == 3 else {
            return .failure(.malformed("expected three dot-separated parts"))
        }
        let claims: LabClaims
        do {
            claims = try await keys.verify(token, as: LabClaims.self)
        } catch let error as JWTError {
            switch error.errorType {
            case .signatureVerificationFailed: return .failure(.invalidSignature)
            case .claimVerificationFailure: return .failure(.expired)
            default: return .failure(.malformed(error.reason ?? "\(error.errorType)"))
            }
        } catch {
            return .failure(.malformed("claims could not be decoded"))
        }
        guard claims.iss == issuer else { return .failure(.wrongIssuer(got: claims.iss, expected: issuer)) }
        guard claims.aud == audience else { return .failure(.wrongAudience(got: claims.aud, expected: audience)) }
        guard claims.type == type else { return .failure(.wrongType(got: claims.type, expected: type)) }
        return .success(claims)
    }
}
