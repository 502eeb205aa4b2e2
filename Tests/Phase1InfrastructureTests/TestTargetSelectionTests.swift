import Foundation
import Testing
import WebSocketTestFramework

/// The target selection of the test framework: the lab by default, staging only with real URLs and a credential —
/// selecting staging with the shipped placeholders fails with a message naming the variables to set.
@Suite("Phase1 test target selection", .tags(.phase1))
struct Phase1TestTargetSelectionTests {
    @Test("The shipped staging profile holds only placeholders, with the plan's timeouts")
    func shippedProfileIsAPlaceholder() throws {
        let loaded = StagingProfile.load()
        let profile = try #require(loaded.profile, "\(loaded.problem ?? "")")
        for url in [profile.websocketURL, profile.backendURL, profile.authURL] {
            #expect(TestEnvironment.isPlaceholder(url), "\(url) must be a clearly-marked placeholder, not a guessed hostname")
        }
        #expect(profile.connectionTimeoutSeconds == 30)
        #expect(profile.authenticationTimeoutSeconds == 15)
        #expect(profile.messageResponseTimeoutSeconds == 10)
        #expect(profile.sustainedConnectionSeconds > 30)
    }

    @Test("Selecting staging with only the placeholders fails and names every variable to set")
    func stagingWithPlaceholdersFails() throws {
        let profile = try #require(StagingProfile.load().profile)
        let environment = TestEnvironment.resolve(["WS1011_TARGET": "staging"], profile: profile)
        #expect(environment.target == .staging)
        let summary = environment.problemSummary
        for variable in ["WS1011_STAGING_URL", "WS1011_BACKEND_URL", "WS1011_AUTH_URL", "WS1011_TOKEN", "WS1011_JWT_SECRET"] {
            #expect(summary.contains(variable), "the message must name \(variable): \(summary)")
        }
        #expect(summary.contains("placeholder"))
    }

    @Test("Staging with real URLs and a token has no problem; the lab is the default")
    func completeStagingAndDefaultLab() throws {
        let profile = try #require(StagingProfile.load().profile)
        let staging = TestEnvironment.resolve(
            [
                "WS1011_TARGET": "staging", "WS1011_STAGING_URL": "wss://ws.staging.corp.test/ws",
                "WS1011_BACKEND_URL": "https://api.staging.corp.test", "WS1011_AUTH_URL": "https://auth.staging.corp.test",
                "WS1011_TOKEN": "t",
            ], profile: profile)
        #expect(staging.problems.isEmpty, "\(staging.problems)")
        let lab = TestEnvironment.resolve([:], profile: profile)
        #expect(lab.target == .lab)
        #expect(lab.problems.isEmpty)
        let unknown = TestEnvironment.resolve(["WS1011_TARGET": "prod"], profile: profile)
        #expect(!unknown.problems.isEmpty, "an unknown target must not fall back to the lab silently")
    }
}

/// The framework reads nothing from ws1011's checkout: its defaults are built in, a consumer's files come
/// from the variables it sets.
@Suite("Phase1 framework defaults and consumer files", .tags(.phase1))
struct Phase1FrameworkDefaultsTests {
    static let fixtures = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent("Fixtures")

    @Test("The built-in staging profile is the one documented in Fixtures/config/staging.json")
    func builtInStagingProfileMatchesTheShippedFile() throws {
        let file = try #require(StagingProfile.load(path: Self.fixtures.appendingPathComponent("config/staging.json").path).profile)
        #expect(StagingProfile.load(environment: [:]).profile == file)
    }

    @Test("WS1011_STAGING_PROFILE and WS1011_TEST_USERS point the framework at the consumer's own files")
    func consumerFilesAreRead() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("ws1011-consumer-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let profile = StagingProfile(
            websocketURL: "wss://ws.corp.test/ws", backendURL: "https://api.corp.test", authURL: "https://auth.corp.test")
        try JSONEncoder().encode(profile).write(to: dir.appendingPathComponent("staging.json"))
        try Data(#"{"users":[{"email":"qa@corp.test","user_id":"qa-1","plan":"pro","permissions":["websocket_access"]}]}"#.utf8)
            .write(to: dir.appendingPathComponent("users.json"))
        #expect(
            StagingProfile.load(environment: ["WS1011_STAGING_PROFILE": dir.appendingPathComponent("staging.json").path]).profile == profile
        )
        let users = TestUsers.load(["WS1011_TEST_USERS": dir.appendingPathComponent("users.json").path])
        #expect(users.problem == nil)
        #expect(users.users.map(\.email) == ["qa@corp.test"])
        let missing = TestUsers.load(["WS1011_TEST_USERS": "/nonexistent/users.json"])
        #expect(missing.problem?.contains("/nonexistent/users.json") == true)
        #expect(TestUsers.load([:]).users.count == 2)
    }
}
