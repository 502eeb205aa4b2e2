import Foundation

/// The staging deployment of the test plan: URLs and the plan's timeouts (`Fixtures/config/staging.json`).
///
/// Environment variables override each URL; a token or signing secret never lives in the file.
public struct StagingProfile: Codable, Sendable, Equatable {
    /// WebSocket URL through the front (`WS1011_STAGING_URL`).
    public var websocketURL: String
    /// Backend HTTP base URL (`WS1011_BACKEND_URL`).
    public var backendURL: String
    /// Auth service base URL (`WS1011_AUTH_URL`).
    public var authURL: String
    /// The plan's upper bound for establishing a connection, seconds (30).
    public var connectionTimeoutSeconds: Double
    /// The plan's upper bound for authentication, seconds (15).
    public var authenticationTimeoutSeconds: Double
    /// The plan's upper bound for a message response, seconds (10).
    public var messageResponseTimeoutSeconds: Double
    /// The plan's sustained-connection check, seconds (> 30).
    public var sustainedConnectionSeconds: Double

    /// Creates a profile.
    public init(
        websocketURL: String, backendURL: String, authURL: String, connectionTimeoutSeconds: Double = 30,
        authenticationTimeoutSeconds: Double = 15, messageResponseTimeoutSeconds: Double = 10, sustainedConnectionSeconds: Double = 31
    ) {
        self.websocketURL = websocketURL
        self.backendURL = backendURL
        self.authURL = authURL
        self.connectionTimeoutSeconds = connectionTimeoutSeconds
        self.authenticationTimeoutSeconds = authenticationTimeoutSeconds
        self.messageResponseTimeoutSeconds = messageResponseTimeoutSeconds
        self.sustainedConnectionSeconds = sustainedConnectionSeconds
    }

    /// Reads `Fixtures/config/staging.json`; `nil` when it is missing or malformed (the error is in `problem`).
    public static func load(path: String = FixturePaths.stagingProfile) -> (profile: StagingProfile?, problem: String?) {
        guard let data = FileManager.default.contents(atPath: path) else {
            return (nil, "staging profile \(path) is missing")
        }
        do {
            return (try JSONDecoder().decode(StagingProfile.self, from: data), nil)
        } catch {
            return (nil, "staging profile \(path) is malformed: \(error)")
        }
    }
}
