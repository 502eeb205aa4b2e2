import WebSocketLab

/// The test users of `Fixtures/test_users.json` (written by the lab; read here, never edited).
public enum TestUsers {
    /// Every user of the fixture file (the built-in defaults when the file cannot be read).
    public static let all: [TestUser] = (try? TestUser.load(from: FixturePaths.testUsers)) ?? TestUser.defaults

    /// The user that may connect and run agents (`websocket_access` and `agent_execution`).
    public static var agentUser: TestUser {
        all.first { $0.permissions.contains(TestUser.agentExecution) } ?? TestUser.enterprise
    }

    /// A user that may connect but not run agents (`websocket_access` only).
    public static var connectOnlyUser: TestUser {
        all.first { $0.permissions.contains(TestUser.websocketAccess) && !$0.permissions.contains(TestUser.agentExecution) } ?? TestUser.early
    }
}
