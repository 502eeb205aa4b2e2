import ArgumentParser
import Foundation
import WebSocketLab

/// `ws1011 scenarios`: lists the reproduction catalog (id, expected layer/cause, title).
struct ScenariosCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "scenarios", abstract: "List the 1011 reproduction catalog (Fixtures/scenarios).",
        discussion: "Exit codes: 0 the catalog loaded, 2 a scenario file is malformed (each error names the file and the field).")

    @Option(name: .long, help: "Catalog directory (default: $WS1011_SCENARIOS, else Fixtures/scenarios here or above).")
    var catalog: String?

    func run() async throws {
        let directory: String
        do { directory = try ScenarioCatalog.locate(explicit: catalog) } catch {
            FileHandle.standardError.write(Data("error: \(error.description)\n".utf8))
            throw ExitCode(2)
        }
        let loaded = ScenarioCatalog.load(directory: directory)
        let idWidth = max(2, loaded.scenarios.map(\.id.count).max() ?? 0)
        let verdictWidth = max(8, loaded.scenarios.map { $0.expected.verdict.cause.rawValue.count }.max() ?? 0)
        print("ID".padding(toLength: idWidth, withPad: " ", startingAt: 0) + "  " + "EXPECTED".padding(toLength: verdictWidth, withPad: " ", startingAt: 0) + "  TITLE")
        for s in loaded.scenarios {
            print(s.id.padding(toLength: idWidth, withPad: " ", startingAt: 0) + "  "
                + s.expected.verdict.cause.rawValue.padding(toLength: verdictWidth, withPad: " ", startingAt: 0) + "  " + s.title)
        }
        print("\(loaded.scenarios.count) scenario(s) in \(directory)")
        for error in loaded.errors { FileHandle.standardError.write(Data("error: \(error.description)\n".utf8)) }
        if !loaded.errors.isEmpty {
            FileHandle.standardError.write(Data("\(loaded.errors.count) scenario file(s) could not be loaded: fix them (the message names the file and the field)\n".utf8))
            throw ExitCode(2)
        }
    }
}
