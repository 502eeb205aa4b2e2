import Foundation
import JWTKit

/// The claims of a lab JWT (HS256), as the auth service issues them and the backend checks them.
///
/// `iat` and `exp` are integer seconds since 1970 (never fractional), as most real backends expect.
public struct LabClaims: JWTPayload, Equatable {
    /// The default `iss` claim of the lab's auth service.
    public static let defaultIssuer = "netra-auth-lab"
    /// The default `aud` claim the lab's backend accepts.
    public static let defaultAudience = "netra-backend"

    /// Subject: the user id.
    public var sub: String
    /// The user's e-mail address.
    public var email: String
    /// Granted permissions, e.g. `websocket_access`, `agent_execution`.
    public var permissions: [String]
    /// Issued at, integer seconds since 1970.
    public var iat: Int
    /// Expires at, integer seconds since 1970.
    public var exp: Int
    /// Issuer.
    public var iss: String
    /// Audience.
    public var aud: String
    /// Unique token id.
    public var jti: String
    /// Access or refresh.
    public var type: LabTokenType

    /// Creates claims; every field is given explicitly.
    public init(
        sub: String, email: String, permissions: [String], iat: Int, exp: Int,
        iss: String, aud: String, jti: String, type: LabTokenType
    ) {
        self.sub = sub
        self.email = email
        self.permissions = permissions
        self.iat = iat
        self.exp = exp
        self.iss = iss
        self.aud = aud
        self.jti = jti
        self.type = type
    }

    /// Whether the claims grant `permission`.
    public func has(_ permission: String) -> Bool { permissions.contains(permission) }

    /// Rejects an expired token (jwt-kit calls this after the signature checked out).
    /// Issuer, audience and type are checked by ``TokenVerifier``, which knows what to expect.
    public func verify(using algorithm: some JWTAlgorithm) async throws {
        guard !isExpired(at: Date()) else {
            throw JWTError.claimVerificationFailure(failedClaim: nil, reason: "expired")
        }
    }

    /// Whether `exp` is at or before `now` (whole seconds).
    public func isExpired(at now: Date) -> Bool { Int(now.timeIntervalSince1970) >= exp }
}
