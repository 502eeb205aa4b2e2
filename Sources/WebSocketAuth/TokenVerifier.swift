import Crypto
import Foundation
import JWTKit

/// Verifies lab tokens: algorithm, HS256 signature, times, issuer, audience and token type, each with its own rejection.
///
/// Verification is synchronous (an HMAC and a JSON decode), so a server can decide an upgrade on its event loop
/// without waiting for Swift's cooperative thread pool, which a busy process may keep occupied for seconds.
///
/// Times are checked against ``now`` (injectable, so tests drive the clock): `exp` must be in the future; `nbf`
/// and `iat` may be at most ``leeway`` ahead of the clock (default 60 s, the usual allowance for hosts whose
/// clocks differ by a little — a token "issued" further in the future comes from a wrong clock or is forged).
/// `exp` gets no leeway: an expired token is refused at once, so a client learns to refresh in time.
public struct TokenVerifier: Sendable {
    /// The only algorithm the lab signs with and accepts.
    public static let algorithm = "HS256"
    /// The default allowance for `nbf` and `iat` ahead of this service's clock: 60 seconds.
    public static let defaultLeeway: Duration = .seconds(60)

    private let key: SymmetricKey
    /// The `iss` that is accepted.
    public let issuer: String
    /// The `aud` that is accepted (a token's array of audiences must contain it).
    public let audience: String
    /// How far `nbf` and `iat` may be ahead of ``now``.
    public let leeway: Duration
    /// The clock the times are checked against; default the system clock.
    public let now: @Sendable () -> Date

    /// - Parameters:
    ///   - secret: the HS256 secret the tokens must be signed with (any length: HMAC takes any key, RFC 2104 §2).
    ///   - issuer: default ``LabClaims/defaultIssuer``.
    ///   - audience: default ``LabClaims/defaultAudience``.
    ///   - leeway: default ``defaultLeeway`` (60 s).
    ///   - now: default the system clock.
    public init(
        secret: String, issuer: String = LabClaims.defaultIssuer, audience: String = LabClaims.defaultAudience,
        leeway: Duration = TokenVerifier.defaultLeeway, now: @escaping @Sendable () -> Date = { Date() }
    ) {
        self.key = SymmetricKey(data: Array(secret.utf8))
        self.issuer = issuer
        self.audience = audience
        self.leeway = leeway
        self.now = now
    }

    /// Verifies `token` and returns its claims, or the precise reason it is refused.
    ///
    /// The order: the three parts, the header's algorithm (another algorithm, even signed with the right
    /// secret, is "unsupported", not "wrong secret"), the signature over `header.payload`, the claims, then
    /// `exp`, `nbf`, `iat`, issuer, audience and token type.
    /// - Parameter at: the time to check against (default ``now``).
    public func verify(_ token: String, expecting type: LabTokenType = .access, now at: Date? = nil) -> Result<LabClaims, TokenRejection> {
        let token = token.trimmingCharacters(in: .whitespaces)
        guard !token.isEmpty else { return .failure(.missingToken) }
        let parts = token.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 3 else {
            return .failure(.malformed("expected three dot-separated parts"))
        }
        switch Self.headerAlgorithm(parts[0]) {
        case .failure(let rejection): return .failure(rejection)
        case .success(let alg) where alg != Self.algorithm: return .failure(.unsupportedAlgorithm(alg))
        case .success: break
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
            claims = try DefaultJWTParser().parse(Array(token.utf8), as: LabClaims.self).payload
        } catch let error as JWTError {
            return .failure(.malformed(error.reason ?? "\(error.errorType)"))
        } catch {
            return .failure(.malformed("claims could not be decoded"))
        }
        let now = Int((at ?? self.now()).timeIntervalSince1970.rounded(.down))
        let allowance = Int(leeway.components.seconds)
        guard now < claims.exp else { return .failure(.expired) }
        if let nbf = claims.nbf, nbf > now + allowance { return .failure(.notYetValid(secondsAhead: nbf - now, leeway: allowance)) }
        guard claims.iat <= now + allowance else { return .failure(.issuedInTheFuture(secondsAhead: claims.iat - now, leeway: allowance)) }
        guard claims.iss == issuer else { return .failure(.wrongIssuer(got: claims.iss, expected: issuer)) }
        guard claims.audiences.contains(audience) else {
            return .failure(.wrongAudience(got: claims.audiences.joined(separator: ", "), expected: audience))
        }
        guard claims.type == type else { return .failure(.wrongType(got: claims.type, expected: type)) }
        return .success(claims)
    }

    /// The `alg` of a compact JWS header (base64url JSON), or why it cannot be read.
    static func headerAlgorithm(_ encoded: Substring) -> Result<String, TokenRejection> {
        guard let data = base64urlDecoded(encoded) else { return .failure(.malformed("the header is not base64url")) }
        struct Header: Decodable { var alg: String? }
        guard let header = try? JSONDecoder().decode(Header.self, from: data) else {
            return .failure(.malformed("the header is not a JSON object with a string 'alg'"))
        }
        guard let alg = header.alg else { return .failure(.malformed("the header names no algorithm ('alg')")) }
        return .success(alg)
    }

    /// Decodes unpadded base64url (RFC 7515 §2); `nil` when `part` is not base64url.
    static func base64urlDecoded(_ part: Substring) -> Data? {
        var text = part.replacingOccurrences(of: "-", with: "+").replacingOccurrences(of: "_", with: "/")
        guard !text.contains("=") else { return nil }
        while text.utf8.count % 4 != 0 { text += "=" }
        return Data(base64Encoded: text)
    }
}
