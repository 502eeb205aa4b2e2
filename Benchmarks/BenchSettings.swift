import Foundation

/// Everything the harness can be told through the environment (all bounded, all with defaults).
struct BenchSettings: Sendable, Codable {
    /// Which benchmarks to run (`BENCH_ONLY=1,3`), default all five.
    var only: Set<Int> = [1, 2, 3, 4, 5]
    /// Load per path in benchmark 1 (`BENCH_PROXY_SECONDS`, default 4).
    var proxySeconds: Double = 4
    /// Connections in benchmark 1 (`BENCH_PROXY_CONNECTIONS`, default 64).
    var proxyConnections = 64
    /// Message size in benchmark 1 (default 1024).
    var proxyMessageBytes = 1024
    /// Messages in flight per connection in benchmark 1 (`BENCH_WINDOW`, default 1).
    var window = 1
    /// Load per client and size in benchmark 2 (`BENCH_CLIENT_SECONDS`, default 3).
    var clientSeconds: Double = 3
    /// Runs per client and size in benchmark 2, interleaved; the median run is reported (`BENCH_CLIENT_REPEATS`, default 3).
    var clientRepeats = 3
    /// Upper bound of round trips per client and size in benchmark 2 (`BENCH_CLIENT_MAX`, default 200000).
    var clientMaxRoundTrips = 200_000
    /// Held connections in benchmark 3 (`BENCH_CONNECTIONS`, default 10000).
    var labConnections = 10_000
    /// Concurrent agent users in benchmark 3 (`BENCH_AGENT_USERS`, default 1000).
    var agentUsers = 1000
    /// Runs of the probe in benchmark 4 (`BENCH_VERDICT_RUNS`, default 20).
    var verdictRuns = 20
    /// Concurrent scrapers in benchmark 5 (`BENCH_EXPORTER_CONCURRENCY`, default 50).
    var exporterConcurrency = 50
    /// How long they scrape in benchmark 5 (`BENCH_EXPORTER_SECONDS`, default 5).
    var exporterSeconds: Double = 5
    /// Connections of the exporter's fleet probe and of the Python client in benchmark 5 (`BENCH_EXPORTER_FLEET`, default 1000).
    var exporterFleet = 1000
    /// The Python script holding a fleet (`BENCH_PY_FLEET_CLIENT`, default `Benchmarks/Peers/ws_fleet_client.py`).
    var pythonFleetClient = "Benchmarks/Peers/ws_fleet_client.py"
    /// The ws1011 release binary (`BENCH_WS1011`, default `.build/release/ws1011`).
    var ws1011Binary = ".build/release/ws1011"
    /// Another ws1011 binary measured as one more path in benchmark 1, e.g. a build of the previous commit
    /// (`BENCH_WS1011_BASELINE`, default none): a before/after comparison under the same load.
    var ws1011Baseline: String?
    /// The Python interpreter with `websockets` (`BENCH_PYTHON`, default `.build/bench-venv/bin/python`).
    var python = ".build/bench-venv/bin/python"
    /// The Python client script (`BENCH_PY_CLIENT`, default `Benchmarks/Peers/ws_echo_client.py`).
    var pythonClient = "Benchmarks/Peers/ws_echo_client.py"
    /// HAProxy (`BENCH_HAPROXY`, default `haproxy` from PATH).
    var haproxy = "haproxy"
    /// Where the JSON goes (`BENCH_OUT`, default `bench-results/bench.json`).
    var output = "bench-results/bench.json"

    /// Reads the environment.
    static func fromEnvironment() -> BenchSettings {
        let env = ProcessInfo.processInfo.environment
        var s = BenchSettings()
        func int(_ key: String, _ range: ClosedRange<Int>) -> Int? {
            env[key].flatMap { Int($0) }.map { min(max($0, range.lowerBound), range.upperBound) }
        }
        func double(_ key: String, _ range: ClosedRange<Double>) -> Double? {
            env[key].flatMap { Double($0) }.map { min(max($0, range.lowerBound), range.upperBound) }
        }
        if let only = env["BENCH_ONLY"], !only.isEmpty {
            s.only = Set(only.split(separator: ",").compactMap { Int($0.trimmingCharacters(in: .whitespaces)) })
        }
        s.proxySeconds = double("BENCH_PROXY_SECONDS", 0.5...60) ?? s.proxySeconds
        s.proxyConnections = int("BENCH_PROXY_CONNECTIONS", 1...1000) ?? s.proxyConnections
        s.window = int("BENCH_WINDOW", 1...64) ?? s.window
        s.clientSeconds = double("BENCH_CLIENT_SECONDS", 0.5...60) ?? s.clientSeconds
        s.clientRepeats = int("BENCH_CLIENT_REPEATS", 1...9) ?? s.clientRepeats
        s.clientMaxRoundTrips = int("BENCH_CLIENT_MAX", 10...10_000_000) ?? s.clientMaxRoundTrips
        s.labConnections = int("BENCH_CONNECTIONS", 1...50_000) ?? s.labConnections
        s.agentUsers = int("BENCH_AGENT_USERS", 1...10_000) ?? s.agentUsers
        s.verdictRuns = int("BENCH_VERDICT_RUNS", 3...1000) ?? s.verdictRuns
        s.exporterConcurrency = int("BENCH_EXPORTER_CONCURRENCY", 1...500) ?? s.exporterConcurrency
        s.exporterSeconds = double("BENCH_EXPORTER_SECONDS", 0.5...60) ?? s.exporterSeconds
        s.exporterFleet = int("BENCH_EXPORTER_FLEET", 1...1000) ?? s.exporterFleet
        s.pythonFleetClient = env["BENCH_PY_FLEET_CLIENT"] ?? s.pythonFleetClient
        s.ws1011Binary = env["BENCH_WS1011"] ?? s.ws1011Binary
        s.ws1011Baseline = env["BENCH_WS1011_BASELINE"].flatMap { $0.isEmpty ? nil : $0 }
        s.python = env["BENCH_PYTHON"] ?? s.python
        s.pythonClient = env["BENCH_PY_CLIENT"] ?? s.pythonClient
        s.haproxy = env["BENCH_HAPROXY"] ?? s.haproxy
        s.output = env["BENCH_OUT"] ?? s.output
        return s
    }
}

extension Duration {
    /// A duration of `seconds` (fractional).
    static func seconds(double seconds: Double) -> Duration { .milliseconds(Int64(seconds * 1000)) }
    /// Milliseconds as a Double.
    var ms: Double { Double(components.seconds) * 1000 + Double(components.attoseconds) / 1e15 }
}
