import Foundation
import JWTKit

/// Mints HS256 lab tokens (the auth service and `ws1011 --secret --user` use the same code).
public enum TokenMinter {
    /// The permissions a token gets when none are given: everything the reference backend knows.
    public static let defaultPermissions = ["websocket_access", "agent_execution"]

    /// Mints a signed token for `user` (an e-mail address, or a bare user id).
    ///
    /// - Parameters:
    ///   - secret: the HS256 signing secret (the lab's default is 32+ bytes; shorter secrets work but are weak).
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
    ) async throws -> String {
        let iat = Int(issuedAt.timeIntervalSince1970)
        let claims = LabClaims(
            sub: userID ?? defaultUserID(for: user), email: user, permissions: permissions,
            iat: iat, exp: iat + Int(expiresIn.components.seconds), iss: issuer, aud: audience,
            jti: UUID().uuidString.lowercased(), type: type)
        return try await sign(claims, secret: secret)
    }

    /// Signs arbitrary claims with `secret` (HS256).
    public static func sign(_ claims: LabClaims, secret: String) async throws -> String {
        let keys = JWTKeyCollection()
        await keys.add(hmac: HMACKey(from: secret), digestAlgorithm: .sha256)
        return try await keys.sign(claims)
    }

    /// `sub` for an e-mail address: the local part (`websocket-test-1`), or the input when it has no `@`.
    public static func defaultUserID(for user: String) -> String {
        if let at = user.firstIndex(of: "@"), at != user.startIndex { return String(user[..<at]) }
        return user
    }
}
