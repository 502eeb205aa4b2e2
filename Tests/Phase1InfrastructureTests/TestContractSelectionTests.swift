import Foundation
import Testing
import WebSocketProbe
import WebSocketTestFramework

/// Phase 1: the suites' application contract comes from `WS1011_PROFILE` or the staging profile, default `lab`.
@Suite("Phase1 TestContractSelectionTests", .tags(.phase1, .infrastructure))
struct Phase1TestContractSelectionTests {
    let staging = StagingProfile(
        websocketURL: "wss://s.example.invalid/ws", backendURL: "https://s.example.invalid", authURL: "https://a.example.invalid")

    @Test func withoutAnyNameTheSuitesSpeakTheLabsContract() {
        let (profile, problem) = TestContract.resolve([:], staging: staging)
        #expect(profile == .lab && problem == nil)
    }

    @Test func theEnvironmentNamesABuiltInAndOverridesTheStagingProfile() {
        var named = staging
        named.applicationProfile = "socketio"
        #expect(TestContract.resolve([:], staging: named).profile == .socketIO)
        #expect(TestContract.resolve(["WS1011_PROFILE": "netra"], staging: named).profile == .netra)
    }

    @Test func aProfileFileIsReadAndAMalformedOneIsAProblemThatNamesTheField() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("ws1011-contract-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let good = directory.appendingPathComponent("app.json")
        try Data(ProfileLoader.starter.utf8).write(to: good)
        #expect(TestContract.resolve(["WS1011_PROFILE": good.path], staging: nil).profile.name == "my-app")
        let bad = directory.appendingPathComponent("bad.json")
        try Data(#"{"format": "ws1011.profile/1", "name": "x", "envelope": {"kind": "xml"}}"#.utf8).write(to: bad)
        let (profile, problem) = TestContract.resolve(["WS1011_PROFILE": bad.path], staging: nil)
        #expect(profile == .lab)
        #expect(problem?.contains("field envelope.kind") == true, "\(problem ?? "")")
        let environment = TestEnvironment.resolve(["WS1011_PROFILE": bad.path], profile: nil)
        #expect(
            environment.problems.contains { $0.contains("bad.json") },
            "a malformed profile keeps the suites from running: \(environment.problems)")
    }
}
