import Foundation
import WebSocketAuth
import WebSocketDiagnosis
import WebSocketLab
import WebSocketProbe

/// Token helpers for tests.
public enum TestTokens {
    /// Base64url without padding (the `jwt.<token>` subprotocol entry).
    public static func base64url(_ text: String) -> String { Redactor.base64url(text) }

    /// A token signed with a secret nobody trusts (for rejection tests).
    public static func forged(for user: TestUser) async throws -> String {
        try TokenMinter.mint(
            secret: "not-the-lab-secret-\(UUID().uuidString)", user: user.email, userID: user.userID, permissions: user.permissions)
    }

    /// Fetches a token from the auth service over HTTP (`POST {authBaseURL}/auth/token`).
    public static func fetch(from target: TestTarget, user: TestUser, timeout: Duration = .seconds(10)) async throws -> String {
        try await AuthTokenFetcher(authURL: target.authBaseURL + "/auth/token", email: user.email, tls: target.tls, timeout: timeout)
            .fetch()
    }
}
