import Foundation
import PackagePlugin

/// Compiles the reproduction catalog (`Fixtures/scenarios/*.json`) into the target as Swift source, so an
/// installed `ws1011` carries its 37 scenarios with it and runs them from any folder. Adding a case stays
/// adding one file: the list is read at every build.
@main
struct EmbedScenarios: BuildToolPlugin {
    func createBuildCommands(context: PluginContext, target: Target) async throws -> [Command] {
        let directory = context.package.directoryURL.appending(path: "Fixtures").appending(path: "scenarios")
        let names = (try? FileManager.default.contentsOfDirectory(atPath: directory.path(percentEncoded: false))) ?? []
        let inputs = names.filter { $0.hasSuffix(".json") }.sorted().map { directory.appending(path: $0) }
        let output = context.pluginWorkDirectoryURL.appending(path: "BuiltInScenarioFiles.swift")
        return [
            .buildCommand(
                displayName: "Embedding \(inputs.count) reproduction scenarios",
                executable: try context.tool(named: "ws1011-embed").url,
                arguments: [output.path(percentEncoded: false)] + inputs.map { $0.path(percentEncoded: false) },
                inputFiles: inputs,
                outputFiles: [output])
        ]
    }
}
