import Crypto
import Foundation
import JWTKit

/// Mints HS256 lab tokens (the auth service and `ws1011 --secret --user` use the same code).
///
/// Synchronous (JSON, base64url and one HMAC), so the auth service answers on its event loop without waiting
/// for Swift's cooperative thread pool.
public enum TokenMinter {
    /// The permissions a token gets when none are given: everything the reference backend knows.
    public static let defaultPermissions = ["websocket_access", "agent_execution"]

    /// Mints a signed token for `user` (an e-mail address, or a bare user id).
    ///
    /// - Parameters:
    ///   - secret: the HS256 signing secret, any length (the lab's default is 48 bytes; shorter secrets work but
    ///     are weak, see ``shortSecretWarning(_:)``).
    ///   - user: the e-mail address (becomes `email`; `sub` is `userID` or the e-mail).
    ///   - userID: the `sub` claim; default the part of `user` before `@`, or `user` itself.
    ///   - permissions: default ``defaultPermissions``.
    ///   - issuer: default ``LabClaims/defaultIssuer``.
    ///   - audience: default ``LabClaims/defaultAudience``.
    ///   - type: default `.access`.
    ///   - expiresIn: lifetime, default one hour; negative values mint an already-expired token.
    ///   - issuedAt: default now.
    public static func mint(
        secret: String,
        user: String,
        userID: String? = nil,
        permissions: [String] = defaultPermissions,
        issuer: String = LabClaims.defaultIssuer,
        audience: String = LabClaims.defaultAudience,
        type: LabTokenType = .access,
        expiresIn: Duration = .seconds(3600),
        issuedAt: Date = Date()
    ) throws -> String {
        let iat = Int(issuedAt.timeIntervalSince1970)
        let claims = LabClaims(
            sub: userID ?? defaultUserID(for: user), email: user, permissions: permissions,
            iat: iat, exp: iat + Int(expiresIn.components.seconds), iss: issuer, aud: audience,
            jti: UUID().uuidString.lowercased(), type: type)
        return try sign(claims, secret: secret)
    }

    /// Signs arbitrary claims with `secret` (HS256): the compact JWS jwt-kit writes (header `alg` `HS256`,
    /// `typ` `JWT`, both parts JSON-encoded by jwt-kit's encoder), which ``TokenVerifier`` and jwt-kit accept.
    public static func sign(_ claims: LabClaims, secret: String) throws -> String {
        var header = JWTHeader()
        header.alg = "HS256"
        header.typ = "JWT"
        let encoder = DefaultJWTSerializer().jsonEncoder
        let signingInput = base64url(try encoder.encode(header)) + "." + base64url(try encoder.encode(claims))
        let signature = HMAC<SHA256>.authenticationCode(for: Array(signingInput.utf8), using: SymmetricKey(data: Array(secret.utf8)))
        return signingInput + "." + base64url(Data(signature))
    }

    /// Unpadded base64url (RFC 7515 §2).
    static func base64url(_ data: Data) -> String {
        data.base64EncodedString().replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_")
            .replacingOccurrences(of: "=", with: "")
    }

    /// A warning for a signing secret shorter than 32 bytes (it works, but is weak), or nil.
    ///
    /// A short secret is never refused here: staging secrets often are short, and tokens minted with one match
    /// what any HS256 implementation computes (see ``JWTKit/HMACKey/hs256(secret:)``).
    public static func shortSecretWarning(_ secret: String) -> String? {
        let count = secret.utf8.count
        guard count < HMACKey.hs256PreferredBytes else { return nil }
        return "the HS256 signing secret is \(count) byte\(count == 1 ? "" : "s"); RFC 7518 §3.2 asks for at least "
            + "\(HMACKey.hs256PreferredBytes). It is used as given (signatures match any HS256 implementation), but it is weak."
    }

    /// `sub` for an e-mail address: the local part (`websocket-test-1`), or the input when it has no `@`.
    public static func defaultUserID(for user: String) -> String {
        if let at = user.firstIndex(of: "@"), at != user.startIndex { return String(user[..<at]) }
        return user
    }
}
