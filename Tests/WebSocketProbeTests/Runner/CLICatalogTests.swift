import Foundation
import Testing

/// An installed `ws1011` carries the reproduction catalog: it lists and runs it from any folder, and
/// runs the user's own cases beside it.
@Suite("ws1011 catalog from any folder", .serialized)
struct CLICatalogTests {
    static func emptyFolder() throws -> URL {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("ws1011-anywhere-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        return dir
    }

    @Test func scenariosListsTheBuiltInCatalogOutsideTheCheckout() async throws {
        let dir = try Self.emptyFolder()
        defer { try? FileManager.default.removeItem(at: dir) }
        let r = try await CLITests.run(["scenarios"], environment: ["WS1011_SCENARIOS": ""], currentDirectory: dir)
        #expect(r.status == 0, "\(r.stderr)")
        #expect(r.stdout.contains("39 scenario(s): 39 built in"), "\(r.stdout)")
        #expect(r.stdout.contains("nginx-idle-timeout"))
    }

    @Test func reproduceRunsABuiltInAndAnOwnCaseFromAnyFolder() async throws {
        let dir = try Self.emptyFolder()
        defer { try? FileManager.default.removeItem(at: dir) }
        let own = dir.appendingPathComponent("cases")
        try FileManager.default.createDirectory(at: own, withIntermediateDirectories: true)
        let list = try await CLITests.run(["scenarios"], currentDirectory: dir)
        #expect(list.status == 0)
        // The user's own case: the built-in healthy one under a new id, as a new file.
        let r0 = try await CLITests.run(
            ["reproduce", "healthy-direct", "--json", dir.appendingPathComponent("builtin.json").path],
            timeout: .seconds(60), currentDirectory: dir)
        #expect(r0.status == 0, "\(r0.stdout)\n\(r0.stderr)")
        let source = try String(contentsOf: BuiltInCatalogFixtures.healthyDirect, encoding: .utf8)
        try source.replacingOccurrences(of: "\"healthy-direct\"", with: "\"my-service-healthy\"")
            .write(to: own.appendingPathComponent("my-service-healthy.json"), atomically: true, encoding: .utf8)
        let r = try await CLITests.run(
            ["reproduce", "my-service-healthy", "--catalog", own.path], timeout: .seconds(60), currentDirectory: dir)
        #expect(r.status == 0, "\(r.stdout)\n\(r.stderr)")
        #expect(r.stdout.contains("1/1 scenario(s) matched"), "\(r.stdout)")
    }

    /// `WS1011_SCENARIOS` adds the user's folder as `--catalog` does; a file in it that does not load is bad input:
    /// exit 2 naming the file and the field, and nothing runs (a broken case never passes for a matched catalog).
    @Test func aMalformedOwnCaseIsExitTwoNamingTheFileAndNothingRuns() async throws {
        let dir = try Self.emptyFolder()
        defer { try? FileManager.default.removeItem(at: dir) }
        let own = dir.appendingPathComponent("cases")
        try FileManager.default.createDirectory(at: own, withIntermediateDirectories: true)
        let source = try String(contentsOf: BuiltInCatalogFixtures.healthyDirect, encoding: .utf8)
        try source.replacingOccurrences(of: "\"healthy-direct\"", with: "\"my-service-healthy\"")
            .write(to: own.appendingPathComponent("my-service-healthy.json"), atomically: true, encoding: .utf8)
        let listed = try await CLITests.run(["scenarios"], environment: ["WS1011_SCENARIOS": own.path], currentDirectory: dir)
        #expect(listed.status == 0, "\(listed.stderr)")
        #expect(listed.stdout.contains("my-service-healthy") && listed.stdout.contains("39 built in, 1 from"), "\(listed.stdout)")

        // A field the model does not know, and a file that is not JSON at all.
        try #"{"id": "my-typo", "title": "t", "expected": {"cause": "healthy"}}"#
            .write(to: own.appendingPathComponent("my-typo.json"), atomically: true, encoding: .utf8)
        let typo = try await CLITests.run(
            ["reproduce", "my-service-healthy"], timeout: .seconds(60),
            environment: ["WS1011_SCENARIOS": own.path], currentDirectory: dir)
        #expect(typo.status == 2, "\(typo.stdout)\n\(typo.stderr)")
        #expect(typo.stderr.contains("my-typo.json") && typo.stderr.contains("expected.cause"), "\(typo.stderr)")
        #expect(typo.stderr.contains("unknown field. Valid fields here"), "\(typo.stderr)")
        #expect(!typo.stdout.contains("scenario(s) matched"), "it ran anyway:\n\(typo.stdout)")
        try FileManager.default.removeItem(at: own.appendingPathComponent("my-typo.json"))
        try #"{"id": "broken", "title": "#.write(to: own.appendingPathComponent("broken.json"), atomically: true, encoding: .utf8)
        let broken = try await CLITests.run(
            ["reproduce", "my-service-healthy", "--catalog", own.path], timeout: .seconds(60), currentDirectory: dir)
        #expect(broken.status == 2, "\(broken.stdout)\n\(broken.stderr)")
        #expect(broken.stderr.contains("broken.json") && broken.stderr.contains("not valid JSON"), "\(broken.stderr)")
        #expect(!broken.stdout.contains("scenario(s) matched"), "it ran anyway:\n\(broken.stdout)")
    }

    @Test func anOwnCaseThatTakesABuiltInIdIsExitTwoNamingTheFile() async throws {
        let dir = try Self.emptyFolder()
        defer { try? FileManager.default.removeItem(at: dir) }
        try Data(contentsOf: BuiltInCatalogFixtures.healthyDirect).write(to: dir.appendingPathComponent("healthy-direct.json"))
        let r = try await CLITests.run(["scenarios", "--catalog", dir.path], currentDirectory: dir)
        #expect(r.status == 2, "\(r.stderr)")
        #expect(r.stderr.contains("healthy-direct.json") && r.stderr.contains("already the id"), "\(r.stderr)")
    }
}

/// A scenario file of the checkout, copied by the tests into folders of their own.
enum BuiltInCatalogFixtures {
    static let healthyDirect = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Fixtures/scenarios/healthy-direct.json")
}
