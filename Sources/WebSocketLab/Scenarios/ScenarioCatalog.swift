import Foundation

/// The scenarios of a catalog directory, and the files that could not be loaded.
public struct ScenarioCatalog: Sendable {
    /// Environment variable naming the catalog directory.
    public static let environmentVariable = "WS1011_SCENARIOS"

    /// The directory the catalog was read from.
    public var directory: String
    /// The scenarios that loaded, sorted by id.
    public var scenarios: [Scenario]
    /// One error per file that could not be used.
    public var errors: [ScenarioLoadError]

    /// Creates a catalog from already loaded parts.
    public init(directory: String, scenarios: [Scenario], errors: [ScenarioLoadError]) {
        self.directory = directory
        self.scenarios = scenarios
        self.errors = errors
    }

    /// Loads every `*.json` file of `directory`. A malformed file never stops the others: it is listed in
    /// ``errors``. Duplicate ids are errors too.
    public static func load(directory: String) -> ScenarioCatalog {
        let fm = FileManager.default
        guard let names = try? fm.contentsOfDirectory(atPath: directory) else {
            return ScenarioCatalog(
                directory: directory, scenarios: [],
                errors: [ScenarioLoadError(path: directory, message: "cannot list the catalog directory; pass --catalog DIR or set \(environmentVariable)")])
        }
        var scenarios: [Scenario] = []
        var errors: [ScenarioLoadError] = []
        var seen: [String: String] = [:]
        for name in names.sorted() where name.hasSuffix(".json") {
            let path = (directory as NSString).appendingPathComponent(name)
            do {
                let scenario = try ScenarioLoader.load(path: path)
                if let other = seen[scenario.id] {
                    errors.append(ScenarioLoadError(path: path, field: "id", message: "'\(scenario.id)' is also the id of \(other); ids must be unique"))
                    continue
                }
                seen[scenario.id] = path
                scenarios.append(scenario)
            } catch {
                errors.append(error)
            }
        }
        return ScenarioCatalog(directory: directory, scenarios: scenarios.sorted { $0.id < $1.id }, errors: errors)
    }

    /// Finds the catalog directory: `explicit` (`--catalog DIR`), then `$WS1011_SCENARIOS`, then `Fixtures/scenarios`
    /// in `currentDirectory` or one of its parents.
    public static func locate(
        explicit: String? = nil, environment: [String: String] = ProcessInfo.processInfo.environment,
        currentDirectory: String = FileManager.default.currentDirectoryPath
    ) throws(ScenarioLoadError) -> String {
        var isDir: ObjCBool = false
        if let explicit {
            guard FileManager.default.fileExists(atPath: explicit, isDirectory: &isDir), isDir.boolValue else {
                throw ScenarioLoadError(path: explicit, message: "is not a directory; pass the folder holding the scenario *.json files")
            }
            return explicit
        }
        if let env = environment[environmentVariable], !env.isEmpty {
            guard FileManager.default.fileExists(atPath: env, isDirectory: &isDir), isDir.boolValue else {
                throw ScenarioLoadError(path: env, message: "(from \(environmentVariable)) is not a directory; fix or unset the variable")
            }
            return env
        }
        var dir = URL(fileURLWithPath: currentDirectory).standardizedFileURL
        for _ in 0..<8 {
            let candidate = dir.appendingPathComponent("Fixtures/scenarios").path
            if FileManager.default.fileExists(atPath: candidate, isDirectory: &isDir), isDir.boolValue { return candidate }
            let parent = dir.deletingLastPathComponent()
            if parent.path == dir.path { break }
            dir = parent
        }
        throw ScenarioLoadError(
            path: currentDirectory,
            message: "no Fixtures/scenarios here or in a parent directory; run from the ws1011 checkout, pass --catalog DIR, or set \(environmentVariable)")
    }

    /// The scenarios with the given ids, in the order given; an unknown id is an error listing the valid ones.
    public func select(_ ids: [String]) throws(ScenarioLoadError) -> [Scenario] {
        guard !ids.isEmpty else { return scenarios }
        var out: [Scenario] = []
        for id in ids {
            guard let s = scenarios.first(where: { $0.id == id }) else {
                throw ScenarioLoadError(path: directory, message: "no scenario '\(id)'; run `ws1011 scenarios` to list them (\(scenarios.count) in the catalog)")
            }
            out.append(s)
        }
        return out
    }
}
