import ArgumentParser
import Foundation
import WebSocketLab
import WebSocketScenarios

/// `ws1011 scenarios`: lists the reproduction catalog (id, expected layer/cause, title).
struct ScenariosCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "scenarios", abstract: "List the 1011 reproduction catalog (built in) and your own cases (--catalog DIR).",
        discussion: "Exit codes: 0 the catalog loaded, 2 a scenario file is malformed (each error names the file and the field).")

    @Option(
        name: .long,
        help: "A folder of your own scenario *.json files, listed beside the built-in catalog (default: $WS1011_SCENARIOS when set).")
    var catalog: String?

    func run() async throws {
        let loaded: ScenarioCatalog
        do { loaded = try ScenarioCatalog.resolve(explicit: catalog) } catch {
            Console.error("error: \(error.description)\n")
            throw ExitCode(2)
        }
        let builtIn = ScenarioCatalog.builtIn.scenarios.count
        let idWidth = max(2, loaded.scenarios.map(\.id.count).max() ?? 0)
        let verdictWidth = max(8, loaded.scenarios.map { $0.expected.verdict.cause.rawValue.count }.max() ?? 0)
        Console.out(
            "ID".padding(toLength: idWidth, withPad: " ", startingAt: 0) + "  "
                + "EXPECTED".padding(toLength: verdictWidth, withPad: " ", startingAt: 0) + "  TITLE" + "\n")
        for s in loaded.scenarios {
            Console.out(
                s.id.padding(toLength: idWidth, withPad: " ", startingAt: 0) + "  "
                    + s.expected.verdict.cause.rawValue.padding(toLength: verdictWidth, withPad: " ", startingAt: 0) + "  " + s.title + "\n"
            )
        }
        let own = loaded.scenarios.count - builtIn
        Console.out(
            "\(loaded.scenarios.count) scenario(s): \(builtIn) built in"
                + (own > 0 || loaded.directory != ScenarioCatalog.builtIn.directory
                    ? ", \(own) from \(loaded.directory.replacingOccurrences(of: "built-in + ", with: ""))" : "") + "\n")
        for error in loaded.errors { Console.error("error: \(error.description)\n") }
        if !loaded.errors.isEmpty {
            Console.error(
                "\(loaded.errors.count) scenario file(s) could not be loaded: fix them (the message names the file and the field)\n")
            throw ExitCode(2)
        }
    }
}
