import ArgumentParser
import Foundation
import WebSocketLab
import WebSocketProbe
import WebSocketScenarios

/// `ws1011 reproduce [ID…] [--json PATH]`: runs catalog scenarios on loopback and prints the table.
struct ReproduceCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "reproduce",
        abstract: "Run the 1011 reproduction catalog on loopback; exit 1 when any scenario does not match.")

    @Argument(help: "Scenario ids (default: all; see `ws1011 scenarios`).")
    var ids: [String] = []

    @Option(
        name: .long,
        help:
            "Write {\"schema\":\"ws1011.reproduce/1\",\"scenarios\":[{id, matched, expected, observed}]} to this file (schemas/ws1011.reproduce-1.schema.json)."
    )
    var json: String?

    @Option(
        name: .long,
        help: "A folder of your own scenario *.json files, run beside the built-in catalog (default: $WS1011_SCENARIOS when set).")
    var catalog: String?

    @Option(name: .long, help: "Scenarios run at once (default 4).")
    var parallel: Int = 4

    func run() async throws {
        let loaded: ScenarioCatalog
        let selected: [Scenario]
        do {
            loaded = try ScenarioCatalog.resolve(explicit: catalog)
            selected = try loaded.select(ids)
        } catch {
            Console.error("error: \(error.description)\n")
            throw ExitCode(2)
        }
        // A case of the user's that does not load is bad input, as in `ws1011 scenarios`: nothing runs, so a
        // broken file is never mistaken for a catalog that matched.
        guard loaded.errors.isEmpty else {
            for error in loaded.errors { Console.error("error: \(error.description)\n") }
            Console.error(
                "\(loaded.errors.count) scenario file(s) could not be loaded: fix them (the message names the file and the field); nothing was run\n"
            )
            throw ExitCode(2)
        }
        guard parallel >= 1 else {
            Console.error("error: --parallel must be at least 1\n")
            throw ExitCode(2)
        }
        let results = await ScenarioRunner(maxConcurrent: parallel).run(selected)
        Console.out(Self.table(results) + "\n")
        let matched = results.filter(\.matched).count
        Console.out("\(matched)/\(results.count) scenario(s) matched" + "\n")
        for r in results where !r.matched {
            Console.out("✗ \(r.id): " + (r.error ?? r.mismatches.joined(separator: "; ")) + "\n")
        }
        if let json {
            do {
                // The verdicts' next steps in the CLI's words, as in `ws1011 diagnose --json`.
                let worded = results.map { r in
                    var r = r
                    if let verdict = r.observed?.verdict { r.observed?.verdict = verdict.worded(by: CLIAdviceWording()) }
                    return r
                }
                try Data((JSONReportRenderer.encodeRounded(ScenarioReport(scenarios: worded)) + "\n").utf8).write(
                    to: URL(fileURLWithPath: json))
            } catch {
                Console.error("error: cannot write \(json): \(error.localizedDescription)\n")
                throw ExitCode(2)
            }
        }
        if matched != results.count { throw ExitCode(1) }
    }

    static func table(_ results: [ScenarioResult]) -> String {
        let rows: [[String]] = results.map { r in
            let signature = r.observed.map { $0.signature.description } ?? "(not run)"
            let verdict = r.observed.map { $0.verdict.cause.rawValue } ?? "-"
            return [r.id, signature, verdict, r.matched ? "yes" : "NO"]
        }
        let header = ["SCENARIO", "OBSERVED SIGNATURE", "VERDICT", "MATCHED"]
        var widths = header.map(\.count)
        for row in rows { for (i, cell) in row.enumerated() { widths[i] = max(widths[i], cell.count) } }
        func line(_ cells: [String]) -> String {
            cells.enumerated().map { i, c in i == cells.count - 1 ? c : c.padding(toLength: widths[i], withPad: " ", startingAt: 0) }
                .joined(separator: "  ")
        }
        return ([line(header)] + rows.map(line)).joined(separator: "\n")
    }
}
