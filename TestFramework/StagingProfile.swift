import Foundation

/// The staging deployment of the test plan: URLs and the plan's timeouts.
///
/// Built in: ``placeholder`` (the plan's timeouts, `*.example.invalid` URLs that must be overridden).
/// Your own: a JSON file named by `WS1011_STAGING_PROFILE` (ws1011's `Fixtures/config/staging.json` shows the
/// shape). Environment variables override each URL; a token or signing secret never lives in the file.
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
    /// The application's contract: a built-in profile name (`lab`, `netra`, `socketio`, …) or a profile file
    /// (``TestContract``); `WS1011_PROFILE` overrides it; `nil` means `lab`.
    public var applicationProfile: String? = nil

    /// Creates a profile.
    public init(
        websocketURL: String, backendURL: String, authURL: String, connectionTimeoutSeconds: Double = 30,
        authenticationTimeoutSeconds: Double = 15, messageResponseTimeoutSeconds: Double = 10, sustainedConnectionSeconds: Double = 31,
        applicationProfile: String? = nil
    ) {
        self.applicationProfile = applicationProfile
        self.websocketURL = websocketURL
        self.backendURL = backendURL
        self.authURL = authURL
        self.connectionTimeoutSeconds = connectionTimeoutSeconds
        self.authenticationTimeoutSeconds = authenticationTimeoutSeconds
        self.messageResponseTimeoutSeconds = messageResponseTimeoutSeconds
        self.sustainedConnectionSeconds = sustainedConnectionSeconds
    }

    /// Environment variable naming your staging profile's JSON file.
    public static let environmentVariable = "WS1011_STAGING_PROFILE"

    /// The built-in profile: the plan's timeouts and clearly-marked placeholder URLs.
    public static let placeholder = StagingProfile(
        websocketURL: "wss://staging.example.invalid/ws", backendURL: "https://staging.example.invalid",
        authURL: "https://auth.staging.example.invalid")

    /// The profile of `$WS1011_STAGING_PROFILE` when set, else ``placeholder``.
    public static func load(environment: [String: String] = ProcessInfo.processInfo.environment) -> (
        profile: StagingProfile?, problem: String?
    ) {
        guard let path = environment[environmentVariable], !path.isEmpty else { return (placeholder, nil) }
        return load(path: path)
    }

    /// Reads a profile file; `nil` when it is missing or malformed (the error is in `problem`).
    public static func load(path: String) -> (profile: StagingProfile?, problem: String?) {
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
