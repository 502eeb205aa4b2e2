/// The `type` claim of a lab token: an access token opens connections, a refresh token only buys new tokens.
public enum LabTokenType: String, Codable, Sendable, Equatable {
    /// Short-lived token accepted by the backend's WebSocket upgrade.
    case access
    /// Longer-lived token accepted only by `POST /auth/refresh`.
    case refresh
}
