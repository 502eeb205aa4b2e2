import Foundation
import Testing
import WebSocketLab

@Suite("Test users: fixture file and built-in defaults")
struct TestUserTests {
    @Test func fixtureFileMatchesTheBuiltInDefaults() throws {
        let path = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent("Fixtures/test_users.json").path
        #expect(try TestUser.load(from: path) == TestUser.defaults)
        #expect(TestUser.enterprise.permissions.contains(TestUser.agentExecution))
        #expect(!TestUser.early.permissions.contains(TestUser.agentExecution))
        #expect(TestUser.early.permissions.contains(TestUser.websocketAccess))
    }

    @Test func unreadableFileGivesAnErrorNamingThePath() {
        #expect { try TestUser.load(from: "/nonexistent/users.json") } throws: { error in
            "\(error)".contains("/nonexistent/users.json")
        }
    }
}
