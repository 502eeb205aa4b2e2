import ArgumentParser
import Foundation
import WebSocketDiagnosis
import WebSocketProbe

/// `ws1011 analyze FILE…`: classifies evidence captured elsewhere — ws1011 JSON reports (classified again by
/// the current rules) and HAR files exported from a browser (one verdict per WebSocket entry, and one for the
/// entries together when their ends cluster).
struct AnalyzeCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "analyze",
        abstract: "Classify captured evidence: ws1011 JSON reports and HAR files from a browser's Network panel.",
        discussion: """
            A HAR holds the upgrade, the data messages with their times and when the connection ended — no pings, \
            pongs or close frames — so its verdicts rest on the handshake and the timing. Everything printed is \
            redacted (query secrets, cookies, Authorization, token subprotocols).
            Exit codes: 0 every connection healthy, 1 a failure was diagnosed, 2 a file could not be read.
            """)

    @Argument(help: "ws1011 JSON reports (diagnose --json) and HAR files.")
    var files: [String] = []

    func run() throws {
        guard !files.isEmpty else { throw UsageError("give at least one file: ws1011 analyze report.json capture.har") }
        // Every file is read before anything is printed: a bad one stops the run with exit 2, naming it.
        var analyses: [(String, EvidenceAnalyzer.FileAnalysis)] = []
        for file in files {
            do {
                analyses.append((file, try EvidenceAnalyzer.analyze(path: file)))
            } catch {
                throw UsageError("\(file): \(error.message)")
            }
        }
        var failed = false
        for (file, analysis) in analyses {
            Console.out(Self.render(file: file, analysis))
            let verdicts = analysis.connections.map(\.verdict) + [analysis.together].compactMap { $0 }
            if verdicts.contains(where: { $0.layer != .healthy }) { failed = true }
        }
        if failed { throw ExitCode(1) }
    }

    /// The text for one file: each connection's verdict with its evidence.
    static func render(file: String, _ analysis: EvidenceAnalyzer.FileAnalysis) -> String {
        var lines = ["\(TerminalText.line(file)): \(TerminalText.line(analysis.about))"]
        for c in analysis.connections {
            lines.append("")
            lines.append("  \(TerminalText.line(c.label))")
            if !c.observed.isEmpty { lines.append("    observed: \(TerminalText.line(c.observed))") }
            lines += verdictLines(c.verdict, indent: "    ")
            if let recorded = c.recordedVerdict, recorded.cause != c.verdict.cause {
                lines.append(
                    "    (the report said \(TerminalText.line(recorded.cause.rawValue)) at \(String(format: "%.2f", recorded.confidence)); the current rules say otherwise)"
                )
            }
        }
        if let together = analysis.together {
            lines.append("")
            lines.append("  all \(analysis.connections.count) WebSocket entries together")
            lines += verdictLines(together, indent: "    ")
        }
        return lines.joined(separator: "\n") + "\n\n"
    }

    static func verdictLines(_ v: Verdict, indent: String) -> [String] {
        [
            "\(indent)verdict: \(v.layer.rawValue.uppercased()) \(v.cause) (confidence \(String(format: "%.2f", v.confidence)))",
            "\(indent)\(TerminalText.line(v.summary))",
        ] + v.evidence.map { "\(indent)  [\($0.rule)] \(TerminalText.line($0.observation))" }
    }
}
