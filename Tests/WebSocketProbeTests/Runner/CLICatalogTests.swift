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
        #expect(r.stdout.contains("37 scenario(s): 37 built in"), "\(r.stdout)")
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
        let r0 = try await CLITests.run(["reproduce", "healthy-direct", "--json", dir.appendingPathComponent("builtin.json").path],
                                       timeout: .seconds(60), currentDirectory: dir)
        #expect(r0.status == 0, "\(r0.stdout)\n\(r0.stderr)")
        let source = try String(contentsOf: BuiltInCatalogFixtures.healthyDirect, encoding: .utf8)
        try source.replacingOccurrences(of: "\"healthy-direct\"", with: "\"my-service-healthy\"")
            .write(to: own.appendingPathComponent("my-service-healthy.json"), atomically: true, encoding: .utf8)
        let r = try await CLITests.run(["reproduce", "my-service-healthy", "--catalog", own.path], timeout: .seconds(60), currentDirectory: dir)
        #expect(r.status == 0, "\(r.stdout)\n\(r.stderr)")
        #expect(r.stdout.contains("1/1 scenario(s) matched"), "\(r.stdout)")
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
