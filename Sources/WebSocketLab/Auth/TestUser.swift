import Foundation

/// A user the lab's auth service knows (from `Fixtures/test_users.json` or the built-in defaults).
public struct TestUser: Codable, Sendable, Equatable {
    /// Log-in e-mail, the key of `POST /auth/token`.
    public var email: String
    /// The `sub` claim.
    public var userID: String
    /// Plan name (`enterprise`, `early`, …) — informational.
    public var plan: String
    /// Permissions put in the token (`websocket_access`, `agent_execution`).
    public var permissions: [String]

    public init(email: String, userID: String, plan: String, permissions: [String]) {
        self.email = email
        self.userID = userID
        self.plan = plan
        self.permissions = permissions
    }

    enum CodingKeys: String, CodingKey {
        case email
        case userID = "user_id"
        case plan
        case permissions
    }

    /// Permission needed to open the WebSocket.
    public static let websocketAccess = "websocket_access"
    /// Permission needed to run agents.
    public static let agentExecution = "agent_execution"

    /// The enterprise user of the test plan: may connect and run agents.
    public static let enterprise = TestUser(
        email: "websocket-test-1@netra-testing.example.com", userID: "websocket-test-1", plan: "enterprise",
        permissions: [websocketAccess, agentExecution])
    /// The early-plan user of the test plan: may connect but not run agents.
    public static let early = TestUser(
        email: "websocket-test-2@netra-testing.example.com", userID: "websocket-test-2", plan: "early",
        permissions: [websocketAccess])

    /// The built-in users, identical to `Fixtures/test_users.json` (used when the file is not at hand).
    public static let defaults: [TestUser] = [enterprise, early]
}
