import Foundation
import NIOCore
import NIOPosix

// `make bench`: ws1011 measured side by side with its peers in one run; prints a table and writes JSON.
// Everything runs on 127.0.0.1; every load loop is bounded in count and time.

/// The JSON document written to `bench-results/bench.json`.
struct BenchDocument: Codable {
    var schema = "ws1011.bench/1"
    var startedAt: String
    var seconds: Double
    var machine: [String: String]
    var settings: BenchSettings
    var rows: [BenchRow]
    var proxy: ProxyBenchmark.Report?
    var client: ClientBenchmark.Report?
    var labScale: LabScaleBenchmark.Report?
    var timeToVerdict: VerdictBenchmark.Report?
    var exporter: ExporterBenchmark.Report?
}

func log(_ line: String) {
    FileHandle.standardError.write(Data((line + "\n").utf8))
}

// `ws1011-bench glue-proxy UPSTREAM-PORT THREADS`: the bare SwiftNIO forwarder benchmark 1 starts as its own process.
if CommandLine.arguments.count >= 2, CommandLine.arguments[1] == GlueProxy.command {
    guard CommandLine.arguments.count == 4, let port = Int(CommandLine.arguments[2]), let threads = Int(CommandLine.arguments[3]) else {
        log("usage: ws1011-bench \(GlueProxy.command) UPSTREAM-PORT THREADS")
        exit(2)
    }
    do {
        try GlueProxy.serve(upstreamPort: port, threads: threads)
    } catch {
        log("glue proxy: \(error)")
        exit(1)
    }
}

let settings = BenchSettings.fromEnvironment()
let began = ContinuousClock.now
var document = BenchDocument(
    startedAt: ISO8601DateFormatter().string(from: Date()), seconds: 0,
    machine: [
        "cores": String(System.coreCount),
        "fdLimit": String(getrlimit_nofile()),
        "loadavgAtStart": loadAverage(),
        "kernel": (try? String(contentsOfFile: "/proc/sys/kernel/osrelease", encoding: .utf8))?.trimmingCharacters(
            in: .whitespacesAndNewlines) ?? "unknown",
    ],
    settings: settings, rows: [])

if settings.only.contains(1) {
    let (rows, report) = await ProxyBenchmark.run(settings, log: log)
    document.rows += rows
    document.proxy = report
}
if settings.only.contains(2) {
    let (rows, report) = await ClientBenchmark.run(settings, log: log)
    document.rows += rows
    document.client = report
}
if settings.only.contains(3) {
    let (rows, report) = await LabScaleBenchmark.run(settings, log: log)
    document.rows += rows
    document.labScale = report
}
if settings.only.contains(4) {
    let (rows, report) = await VerdictBenchmark.run(settings, log: log)
    document.rows += rows
    document.timeToVerdict = report
}
if settings.only.contains(5) {
    let (rows, report) = await ExporterBenchmark.run(settings, log: log)
    document.rows += rows
    document.exporter = report
}
document.seconds = (ContinuousClock.now - began).ms / 1000
document.machine["loadavgAtEnd"] = loadAverage()

print("")
print(
    "ws1011 benchmarks — \(System.coreCount) cores, \(document.startedAt), \(String(format: "%.0f", document.seconds)) s, load average \(document.machine["loadavgAtStart"] ?? "?") → \(document.machine["loadavgAtEnd"] ?? "?")"
)
print(BenchTable.render(document.rows))
if let proxy = document.proxy, let line = ProxyBenchmark.summary(proxy) { print("\n" + line) }

do {
    let url = URL(fileURLWithPath: settings.output)
    try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
    let encoder = JSONEncoder()
    encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
    try encoder.encode(document).write(to: url)
    print("\nJSON: \(settings.output)")
} catch {
    log("cannot write \(settings.output): \(error)")
    exit(2)
}

/// The soft limit on open descriptors of this process.
func getrlimit_nofile() -> Int {
    var limit = rlimit()
    guard getrlimit(Int32(RLIMIT_NOFILE.rawValue), &limit) == 0 else { return -1 }
    return Int(limit.rlim_cur)
}

/// The 1/5/15-minute load averages (other work on the machine skews every figure; the JSON keeps it).
func loadAverage() -> String {
    ((try? String(contentsOfFile: "/proc/loadavg", encoding: .utf8)) ?? "unknown").split(separator: " ").prefix(3).joined(separator: " ")
}
