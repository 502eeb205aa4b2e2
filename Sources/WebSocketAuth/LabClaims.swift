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
    /// Not before, integer seconds since 1970; the lab mints none (`nil`) but checks one it is given.
    public var nbf: Int?
    /// Issuer.
    public var iss: String
    /// Every audience the token names: one for the lab's own tokens (encoded as a string), several when a token
    /// carries an RFC 7519 §4.1.3 array (encoded as an array).
    public var audiences: [String]
    /// The audience (the first one when the token names several).
    public var aud: String { audiences.first ?? "" }
    /// Unique token id.
    public var jti: String
    /// Access or refresh.
    public var type: LabTokenType

    /// Creates claims; every field is given explicitly (`nbf`: default none).
    public init(
        sub: String, email: String, permissions: [String], iat: Int, exp: Int,
        iss: String, aud: String, jti: String, type: LabTokenType, nbf: Int? = nil
    ) {
        self.sub = sub
        self.email = email
        self.permissions = permissions
        self.iat = iat
        self.exp = exp
        self.nbf = nbf
        self.iss = iss
        self.audiences = [aud]
        self.jti = jti
        self.type = type
    }

    // MARK: - Coding

    private enum CodingKeys: String, CodingKey {
        case sub, email, permissions, iat, exp, nbf, iss, aud, jti, type
    }

    /// Decodes the claims; `aud` may be a string or an array of strings (RFC 7519 §4.1.3).
    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        sub = try c.decode(String.self, forKey: .sub)
        email = try c.decode(String.self, forKey: .email)
        permissions = try c.decode([String].self, forKey: .permissions)
        iat = try c.decode(Int.self, forKey: .iat)
        exp = try c.decode(Int.self, forKey: .exp)
        nbf = try c.decodeIfPresent(Int.self, forKey: .nbf)
        iss = try c.decode(String.self, forKey: .iss)
        if let single = try? c.decode(String.self, forKey: .aud) {
            audiences = [single]
        } else {
            audiences = try c.decode([String].self, forKey: .aud)
        }
        jti = try c.decode(String.self, forKey: .jti)
        type = try c.decode(LabTokenType.self, forKey: .type)
    }

    /// Encodes the claims; one audience is a string, several an array.
    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(sub, forKey: .sub)
        try c.encode(email, forKey: .email)
        try c.encode(permissions, forKey: .permissions)
        try c.encode(iat, forKey: .iat)
        try c.encode(exp, forKey: .exp)
        try c.encodeIfPresent(nbf, forKey: .nbf)
        try c.encode(iss, forKey: .iss)
        if audiences.count == 1 { try c.encode(audiences[0], forKey: .aud) } else { try c.encode(audiences, forKey: .aud) }
        try c.encode(jti, forKey: .jti)
        try c.encode(type, forKey: .type)
    }

    /// Whether the claims grant `permission`.
    public func has(_ permission: String) -> Bool { permissions.contains(permission) }

    /// Nothing to check here: jwt-kit calls this after the signature checked out, and ``TokenVerifier`` checks
    /// the times (`exp`, `nbf`, `iat`, against its own clock and leeway), issuer, audience and type itself.
    public func verify(using algorithm: some JWTAlgorithm) async throws {}

    /// Whether `exp` is at or before `now` (whole seconds).
    public func isExpired(at now: Date) -> Bool { Int(now.timeIntervalSince1970) >= exp }
}
