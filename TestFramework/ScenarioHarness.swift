import Testing
import WebSocketLab
import WebSocketScenarios

/// Runs catalog scenarios from tests: the built-in catalog plus your own cases (`WS1011_SCENARIOS`, or
/// ``catalog(adding:)``), through ``ScenarioRunner``, registering the bytes that crossed sockets with the
/// running test's ``WireByteCounter``.
public enum ScenarioHarness {
    /// The built-in catalog plus the folder in `$WS1011_SCENARIOS` when set, loaded once per process.
    /// A folder that is not a directory is reported as a load error (see ``ScenarioCatalog/errors``).
    public static let catalog: ScenarioCatalog = {
        do throws(ScenarioLoadError) { return try ScenarioCatalog.resolve() } catch {
            var catalog = ScenarioCatalog.builtIn
            catalog.errors.append(error)
            return catalog
        }
    }()

    /// The built-in catalog plus the scenario files of `directory` (your package's own cases).
    public static func catalog(adding directory: String) -> ScenarioCatalog {
        ScenarioCatalog.builtIn.adding(ScenarioCatalog.load(directory: directory))
    }

    /// Ids of every scenario that loaded (the argument list of the reproduction suite).
    public static var ids: [String] { catalog.scenarios.map(\.id) }

    /// Runs the scenario `id`; records an issue when it is not in the catalog.
    public static func run(_ id: String, in catalog: ScenarioCatalog = catalog, sourceLocation: SourceLocation = #_sourceLocation) async
        -> ScenarioResult?
    {
        guard let scenario = catalog.scenarios.first(where: { $0.id == id }) else {
            let errors = catalog.errors.map(\.description).joined(separator: "; ")
            Issue.record(
                "scenario '\(id)' is not in \(catalog.directory) (load errors: \(errors.isEmpty ? "none" : errors))",
                sourceLocation: sourceLocation)
            return nil
        }
        // Bounded like `ws1011 reproduce --parallel`: see ``ScenarioSlots``.
        let result = await ScenarioSlots.shared.withSlot { await ScenarioRunner().run(scenario) }
        if let bytes = result.observed?.signature.wireBytes { WireByteCounter.current?.add(bytes: bytes) }
        return result
    }

    /// Runs `id` and expects it to match its expected signature and verdict, printing every difference.
    @discardableResult
    public static func expectReproduces(
        _ id: String, in catalog: ScenarioCatalog = catalog, sourceLocation: SourceLocation = #_sourceLocation
    ) async -> ScenarioResult? {
        guard let result = await run(id, in: catalog, sourceLocation: sourceLocation) else { return nil }
        expectMatched(result, sourceLocation: sourceLocation)
        return result
    }

    /// Expects `result` to have matched.
    public static func expectMatched(_ result: ScenarioResult, sourceLocation: SourceLocation = #_sourceLocation) {
        if let error = result.error {
            Issue.record("scenario '\(result.id)' could not run: \(error)", sourceLocation: sourceLocation)
            return
        }
        let observed = result.observed.map { "\($0.signature) → \($0.verdict.layer.rawValue) / \($0.verdict.cause.rawValue)" } ?? "nothing"
        #expect(
            result.matched,
            "scenario '\(result.id)' (\(result.title)) did not reproduce: \(result.mismatches.joined(separator: "; ")). Observed: \(observed)",
            sourceLocation: sourceLocation)
    }
}
