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

    /// The catalog compiled into this binary (the `Fixtures/scenarios` of its source, embedded by the
    /// EmbedScenarios build plugin): an installed `ws1011` runs it from any folder.
    public static let builtIn: ScenarioCatalog = load(
        files: BuiltInScenarioFiles.all.map { ($0.name, Data($0.text.utf8)) }, directory: "built-in")

    /// Loads every `*.json` file of `directory`. A malformed file never stops the others: it is listed in
    /// ``errors``. Duplicate ids are errors too.
    public static func load(directory: String) -> ScenarioCatalog {
        let fm = FileManager.default
        guard let names = try? fm.contentsOfDirectory(atPath: directory) else {
            return ScenarioCatalog(
                directory: directory, scenarios: [],
                errors: [
                    ScenarioLoadError(
                        path: directory, message: "cannot list the catalog directory; pass --catalog DIR or set \(environmentVariable)")
                ])
        }
        var files: [(String, Data)] = []
        var errors: [ScenarioLoadError] = []
        for name in names.sorted() where name.hasSuffix(".json") {
            let path = (directory as NSString).appendingPathComponent(name)
            guard let data = fm.contents(atPath: path) else {
                errors.append(ScenarioLoadError(path: path, message: "cannot be read; check its permissions"))
                continue
            }
            files.append((name, data))
        }
        var catalog = load(files: files, directory: directory)
        catalog.errors = errors + catalog.errors
        return catalog
    }

    /// Loads scenario files given as (name, bytes); `directory` names where they came from in messages.
    public static func load(files: [(name: String, data: Data)], directory: String) -> ScenarioCatalog {
        var scenarios: [Scenario] = []
        var errors: [ScenarioLoadError] = []
        var seen: [String: String] = [:]
        for (name, data) in files {
            let path = (directory as NSString).appendingPathComponent(name)
            do {
                let scenario = try ScenarioLoader.decode(data, path: path, expectedID: (name as NSString).deletingPathExtension)
                if let other = seen[scenario.id] {
                    errors.append(
                        ScenarioLoadError(
                            path: path, field: "id", message: "'\(scenario.id)' is also the id of \(other); ids must be unique"))
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

    /// This catalog with the scenarios of `other` beside its own; an id already taken is an error of
    /// `other`'s file, never a silent replacement.
    public func adding(_ other: ScenarioCatalog) -> ScenarioCatalog {
        var merged = self
        merged.directory = directory + " + " + other.directory
        merged.errors += other.errors
        let taken = Set(scenarios.map(\.id))
        for scenario in other.scenarios {
            if taken.contains(scenario.id) {
                merged.errors.append(
                    ScenarioLoadError(
                        path: (other.directory as NSString).appendingPathComponent(scenario.id + ".json"), field: "id",
                        message: "'\(scenario.id)' is already the id of a \(directory) scenario; give your case an id of its own"))
                continue
            }
            merged.scenarios.append(scenario)
        }
        merged.scenarios.sort { $0.id < $1.id }
        return merged
    }

    /// The built-in catalog plus the user's own cases: the folder given (`--catalog DIR`), else
    /// `$WS1011_SCENARIOS` when set.
    /// - Throws: ``ScenarioLoadError`` when the folder given is not a directory.
    public static func resolve(
        explicit: String? = nil, environment: [String: String] = ProcessInfo.processInfo.environment
    ) throws(ScenarioLoadError) -> ScenarioCatalog {
        guard let directory = try userDirectory(explicit: explicit, environment: environment) else { return builtIn }
        return builtIn.adding(load(directory: directory))
    }

    /// The folder of the user's own cases: `explicit` (`--catalog DIR`), then `$WS1011_SCENARIOS`; `nil` for neither.
    public static func userDirectory(
        explicit: String? = nil, environment: [String: String] = ProcessInfo.processInfo.environment
    ) throws(ScenarioLoadError) -> String? {
        var isDir: ObjCBool = false
        if let explicit {
            guard FileManager.default.fileExists(atPath: explicit, isDirectory: &isDir), isDir.boolValue else {
                throw ScenarioLoadError(path: explicit, message: "is not a directory; pass the folder holding your scenario *.json files")
            }
            return explicit
        }
        if let env = environment[environmentVariable], !env.isEmpty {
            guard FileManager.default.fileExists(atPath: env, isDirectory: &isDir), isDir.boolValue else {
                throw ScenarioLoadError(path: env, message: "(from \(environmentVariable)) is not a directory; fix or unset the variable")
            }
            return env
        }
        return nil
    }

    /// The scenarios with the given ids, in the order given; an unknown id is an error listing the valid ones.
    public func select(_ ids: [String]) throws(ScenarioLoadError) -> [Scenario] {
        guard !ids.isEmpty else { return scenarios }
        var out: [Scenario] = []
        for id in ids {
            guard let s = scenarios.first(where: { $0.id == id }) else {
                throw ScenarioLoadError(
                    path: directory, message: "no scenario '\(id)'; run `ws1011 scenarios` to list them (\(scenarios.count) in the catalog)"
                )
            }
            out.append(s)
        }
        return out
    }
}
