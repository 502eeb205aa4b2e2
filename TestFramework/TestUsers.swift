import Foundation
import WebSocketLab

/// The test users the phases connect as: the lab's two users by default, or yours.
///
/// Set `WS1011_TEST_USERS` to a JSON file (`{"users": [{"email", "user_id", "plan", "permissions"}]}`, the
/// shape of ws1011's `Fixtures/test_users.json`) to test as your own users; nothing is read from
/// ws1011's checkout.
public enum TestUsers {
    /// Environment variable naming your test users' JSON file.
    public static let environmentVariable = "WS1011_TEST_USERS"

    /// Every user: from `$WS1011_TEST_USERS` when set, else ``TestUser/defaults``. A file that cannot be
    /// read is a ``problem`` (the defaults are used meanwhile), never silently ignored.
    public static let all: [TestUser] = load(ProcessInfo.processInfo.environment).users

    /// Why `$WS1011_TEST_USERS` could not be used, when it could not.
    public static let problem: String? = load(ProcessInfo.processInfo.environment).problem

    /// The users named by `environment`, and a problem when its file is unusable.
    public static func load(_ environment: [String: String]) -> (users: [TestUser], problem: String?) {
        guard let path = environment[environmentVariable], !path.isEmpty else { return (TestUser.defaults, nil) }
        do {
            let users = try TestUser.load(from: path)
            guard !users.isEmpty else { return (TestUser.defaults, "\(environmentVariable)=\(path) lists no users") }
            return (users, nil)
        } catch {
            return (TestUser.defaults, "\(environmentVariable)=\(path) cannot be used: \(error)")
        }
    }

    /// The user that may connect and run agents (`websocket_access` and `agent_execution`).
    public static var agentUser: TestUser {
        all.first { $0.permissions.contains(TestUser.agentExecution) } ?? TestUser.enterprise
    }

    /// A user that may connect but not run agents (`websocket_access` only).
    public static var connectOnlyUser: TestUser {
        all.first { $0.permissions.contains(TestUser.websocketAccess) && !$0.permissions.contains(TestUser.agentExecution) }
            ?? TestUser.early
    }
}
