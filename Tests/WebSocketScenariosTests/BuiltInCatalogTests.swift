import Foundation
import Testing
import WebSocketLab
import WebSocketScenarios

/// The reproduction catalog compiled into the binary is exactly `Fixtures/scenarios`: same files, same
/// ids, every one valid. Adding a case stays adding one file.
@Suite("Built-in scenario catalog")
struct BuiltInCatalogTests {
    static let fixtures = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Fixtures/scenarios")

    @Test func theBuiltInCatalogIsEveryFileOfFixturesScenarios() throws {
        let files = try FileManager.default.contentsOfDirectory(atPath: Self.fixtures.path).filter { $0.hasSuffix(".json") }
        let builtIn = ScenarioCatalog.builtIn
        #expect(builtIn.errors.isEmpty, "\(builtIn.errors.map(\.description))")
        #expect(files.count >= 39)
        #expect(Set(builtIn.scenarios.map(\.id)) == Set(files.map { String($0.dropLast(5)) }))
        let fromDisk = ScenarioCatalog.load(directory: Self.fixtures.path)
        #expect(builtIn.scenarios.map(\.id) == fromDisk.scenarios.map(\.id))
        #expect(builtIn.scenarios.map(\.title) == fromDisk.scenarios.map(\.title))
    }

    @Test func ownCasesJoinTheBuiltInOnesAndATakenIdIsAnErrorNamingTheFile() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("ws1011-own-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        var own = try String(contentsOf: Self.fixtures.appendingPathComponent("healthy-direct.json"), encoding: .utf8)
        try own.write(to: dir.appendingPathComponent("healthy-direct.json"), atomically: true, encoding: .utf8)
        own = own.replacingOccurrences(of: "\"healthy-direct\"", with: "\"my-app-healthy\"")
        try own.write(to: dir.appendingPathComponent("my-app-healthy.json"), atomically: true, encoding: .utf8)
        let catalog = try ScenarioCatalog.resolve(explicit: dir.path, environment: [:])
        #expect(catalog.scenarios.count == ScenarioCatalog.builtIn.scenarios.count + 1)
        #expect(catalog.scenarios.contains { $0.id == "my-app-healthy" })
        #expect(catalog.errors.count == 1)
        #expect(catalog.errors.first?.description.contains("healthy-direct.json") == true, "\(catalog.errors.map(\.description))")
    }

    @Test func aCatalogFolderThatIsNotADirectoryIsAnError() {
        #expect(throws: ScenarioLoadError.self) { try ScenarioCatalog.resolve(explicit: "/nonexistent/ws1011-catalog", environment: [:]) }
        #expect(throws: ScenarioLoadError.self) {
            try ScenarioCatalog.resolve(environment: [ScenarioCatalog.environmentVariable: "/nonexistent/ws1011-catalog"])
        }
    }
}
