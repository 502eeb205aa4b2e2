import Foundation
import NIOPosix
import WebSocketLab

/// Benchmark 2: echo round trips of the ws1011 client vs the Python `websockets` client, one
/// connection each, the same echo server, the same duration and cap, 1 KiB and 64 KiB messages.
enum ClientBenchmark {
    /// Per size: both clients' outcomes.
    struct Report: Sendable, Codable {
        var ws1011: [Int: ClientEchoLoad.Outcome] = [:]
        var python: [Int: ClientEchoLoad.Outcome] = [:]
        /// Round trips/s of every run, in order.
        var ws1011Runs: [Int: [Double]] = [:]
        var pythonRuns: [Int: [Double]] = [:]
        var errors: [String: String] = [:]
    }

    static func medianRun(_ runs: [ClientEchoLoad.Outcome]) -> ClientEchoLoad.Outcome? {
        let sorted = runs.sorted { $0.messagesPerSecond < $1.messagesPerSecond }
        return sorted.isEmpty ? nil : sorted[(sorted.count - 1) / 2]
    }

    static func runPython(_ settings: BenchSettings, url: String, size: Int, duration: Duration) async throws -> ClientEchoLoad.Outcome {
        let child = try ChildProcess(
            settings.python,
            [
                settings.pythonClient, "--url", url, "--size", String(size), "--seconds", String(settings.clientSeconds),
                "--max", String(settings.clientMaxRoundTrips),
            ])
        let exited = await child.waitForExit(within: duration + .seconds(20))
        if !exited { await child.stop() }
        guard exited, child.exitStatus == 0,
            let data = child.standardOutput.split(separator: "\n").last.map({ Data($0.utf8) })
        else {
            throw LoadError(
                "the Python client failed (exit \(child.exitStatus.map(String.init) ?? "timeout")): \(child.standardError.suffix(400))")
        }
        return try JSONDecoder().decode(ClientEchoLoad.Outcome.self, from: data)
    }

    static let sizes = [1024, 65536]

    static func run(_ settings: BenchSettings, log: (String) -> Void) async -> (rows: [BenchRow], report: Report) {
        var report = Report()
        let serverGroup = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        await measure(settings, report: &report, serverGroup: serverGroup, log: log)
        try? await serverGroup.shutdownGracefully()
        return (rows(report), report)
    }

    private static func measure(
        _ settings: BenchSettings, report: inout Report, serverGroup: MultiThreadedEventLoopGroup, log: (String) -> Void
    ) async {
        let duration = Duration.seconds(double: settings.clientSeconds)
        log(
            "2. client: echo round trips, one connection, \(settings.clientRepeats) × \(settings.clientSeconds) s per client and size, interleaved (cap \(settings.clientMaxRoundTrips) a run)"
        )
        guard let echo = try? await EchoServer.start(eventLoopGroup: serverGroup) else {
            report.errors["echo"] = "the echo server could not start"
            return
        }
        let pythonReady =
            FileManager.default.isExecutableFile(atPath: settings.python) && FileManager.default.fileExists(atPath: settings.pythonClient)
        if !pythonReady {
            report.errors["python"] =
                "no Python client: \(settings.python) or \(settings.pythonClient) is missing (scripts/bench.sh makes the venv with `pip install websockets`)"
        }
        for size in sizes {
            // Interleaved runs (ws1011, Python, ws1011, …); the run with the median rate is reported.
            var ours: [ClientEchoLoad.Outcome] = []
            var theirs: [ClientEchoLoad.Outcome] = []
            for _ in 0..<settings.clientRepeats {
                do {
                    if ours.isEmpty {
                        _ = try await ClientEchoLoad.run(url: echo.url, connections: 1, messageBytes: size, duration: .milliseconds(300))
                    }
                    let o = try await ClientEchoLoad.run(
                        url: echo.url, connections: 1, messageBytes: size, duration: duration, maxRoundTrips: settings.clientMaxRoundTrips)
                    ours.append(o)
                    log(
                        String(
                            format: "  ws1011 client %d B: %.0f round trips/s, %.1f MB/s", size, o.messagesPerSecond, o.megabytesPerSecond))
                } catch {
                    report.errors["ws1011 \(size)"] = "\(error)"
                }
                guard pythonReady else { continue }
                do {
                    let o = try await runPython(settings, url: echo.url, size: size, duration: duration)
                    theirs.append(o)
                    log(
                        String(
                            format: "  python websockets %d B: %.0f round trips/s, %.1f MB/s", size, o.messagesPerSecond,
                            o.megabytesPerSecond))
                } catch {
                    report.errors["python \(size)"] = "\(error)"
                }
            }
            report.ws1011[size] = medianRun(ours)
            report.python[size] = medianRun(theirs)
            report.ws1011Runs[size] = ours.map(\.messagesPerSecond)
            report.pythonRuns[size] = theirs.map(\.messagesPerSecond)
        }
        await echo.shutdown()
    }

    static func rows(_ r: Report) -> [BenchRow] {
        var rows: [BenchRow] = []
        for size in sizes {
            let label = size >= 1024 ? "\(size / 1024) KiB" : "\(size) B"
            let ours = r.ws1011[size], peer = r.python[size]
            let note = r.errors["ws1011 \(size)"] ?? r.errors["python \(size)"] ?? r.errors["python"] ?? r.errors["echo"]
            func met(_ a: Double?, _ b: Double?) -> Bool? {
                guard let a, let b else { return nil }
                return a >= 3 * b
            }
            rows.append(
                BenchRow(
                    benchmark: "2 client", metric: "\(label) round trips/s", value: ours?.messagesPerSecond, unit: "rt/s",
                    peer: "Python websockets", peerValue: peer?.messagesPerSecond, goal: "≥ 3× Python",
                    met: met(ours?.messagesPerSecond, peer?.messagesPerSecond), note: note))
            rows.append(
                BenchRow(
                    benchmark: "2 client", metric: "\(label) MB/s (payload, one way)", value: ours?.megabytesPerSecond, unit: "MB/s",
                    peer: "Python websockets", peerValue: peer?.megabytesPerSecond, goal: "≥ 3× Python",
                    met: met(ours?.megabytesPerSecond, peer?.megabytesPerSecond)))
        }
        return rows
    }
}
