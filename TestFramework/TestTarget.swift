import Foundation
import WebSocketAuth
import WebSocketDiagnosis
import WebSocketLab
import WebSocketProbe

/// What a test talks to: the embedded lab (direct, or behind its emulated front) or a real staging deployment.
public struct TestTarget: Sendable {
    /// How tokens are obtained.
    public enum Credentials: Sendable {
        /// The lab mints them (same secret as its auth service).
        case lab(LabServer)
        /// A literal token (`WS1011_TOKEN`), the same for every user.
        case literal(String)
        /// Minted with the staging signing secret (`WS1011_JWT_SECRET`).
        case secret(String)
    }

    /// Human name for messages (`lab (direct)`, `lab (cloud-run front, wss)`, `staging`).
    public var name: String
    /// The WebSocket endpoint.
    public var websocketURL: WebSocketURL
    /// The backend's own WebSocket endpoint, when it differs (the lab behind its front).
    public var backendWebSocketURL: WebSocketURL?
    /// The backend's HTTP base URL (`/health`).
    public var httpBaseURL: String
    /// The auth service's base URL (`/auth/token`).
    public var authBaseURL: String
    /// TLS trust for `wss://` (the lab CA's root).
    public var tls: ClientConfiguration.TLSSettings
    /// Where tokens come from.
    public var credentials: Credentials
    /// Whether this is the embedded lab (fault injection available).
    public var isLab: Bool

    /// Creates a target.
    public init(
        name: String, websocketURL: WebSocketURL, backendWebSocketURL: WebSocketURL? = nil, httpBaseURL: String, authBaseURL: String,
        tls: ClientConfiguration.TLSSettings, credentials: Credentials, isLab: Bool
    ) {
        self.name = name
        self.websocketURL = websocketURL
        self.backendWebSocketURL = backendWebSocketURL
        self.httpBaseURL = httpBaseURL
        self.authBaseURL = authBaseURL
        self.tls = tls
        self.credentials = credentials
        self.isLab = isLab
    }

    /// A token for `user` (minted by the lab or with the staging secret, or the literal staging token).
    public func token(for user: TestUser, expiresIn: Duration = .seconds(3600)) async throws -> String {
        switch credentials {
        case .lab(let lab): return try await lab.mintToken(email: user.email, expiresIn: expiresIn)
        case .literal(let token): return token
        case .secret(let secret):
            return try TokenMinter.mint(
                secret: secret, user: user.email, userID: user.userID, permissions: user.permissions, expiresIn: expiresIn)
        }
    }

    /// A client configuration for this target carrying `token` by `channel` (default the subprotocol), in the
    /// shapes of the run's profile (``TestContract``: the lab's `jwt-auth` + `jwt.<base64url>`, or another app's).
    public func clientConfiguration(token: String?, channel: AuthChannel = .subprotocol, timeouts: ClientConfiguration.Timeouts? = nil)
        -> ClientConfiguration
    {
        let profile = TestContract.profile
        let url = profile.connect.target(for: websocketURL)
        var configuration = ClientConfiguration(url: url)
        configuration.tls = tls
        configuration.subprotocols = profile.connect.subprotocols
        if let timeouts { configuration.timeouts = timeouts }
        if case .none = profile.auth.selects { configuration.requireSubprotocolSelection = false }
        if let token {
            let auth = profile.auth
            switch channel {
            case .subprotocol:
                let entries = auth.subprotocols.isEmpty ? ApplicationProfile.lab.auth.subprotocols : auth.subprotocols
                configuration.subprotocols = entries.map { ProfileTemplate.render($0, token: token) } + configuration.subprotocols
            case .header:
                let header = auth.header ?? ApplicationProfile.HeaderTemplate(name: "Authorization", value: "Bearer {token}")
                configuration.headers = [HeaderField(header.name, ProfileTemplate.render(header.value, token: token))]
            case .query:
                let separator = url.resource.contains("?") ? "&" : "?"
                configuration.url = url.replacing(resource: url.resource + separator + (auth.queryParameter ?? "token") + "=" + token)
            case .none: break
            }
            configuration.redactor = Redactor().adding(secrets: [token, TestTokens.base64url(token)])
        }
        return configuration
    }
}
