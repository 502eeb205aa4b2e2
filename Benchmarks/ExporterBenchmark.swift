import Foundation
import NIOCore
import NIOHTTP1
import NIOPosix
import WebSocketLab

/// Benchmark 5: `ws1011 exporter` as Prometheus runs it — one release process, probes over HTTP.
///
/// - probes per second per core: `exporterConcurrency` (50) scrapers ask `/probe` of the echo server at once, again
///   and again, for `exporterSeconds`; the figure is the probes answered divided by the CPU seconds the exporter
///   process used (so a probe's cost, not the machine's core count); every answer must be `probe_success 1`;
/// - a fleet of `exporterFleet` (1,000) connections held by one `/probe` of a module with `connections`, the
///   exporter's resident memory before and while it holds them: memory per fleet connection, side by side with
///   the Python `websockets` client holding as many connections to the same echo server, each pinged every second.
enum ExporterBenchmark {
    struct Report: Sendable, Codable {
        var probes = 0
        var failedProbes = 0
        var refusedProbes = 0
        var seconds = 0.0
        var cpuSeconds: Double?
        var probesPerSecond: Double?
        var probesPerCPUSecond: Double?
        var fleetRequested = 0
        var fleetHeld: Int?
        var fleetVerdict: String?
        var exporterRSSBeforeKiB: Int?
        var exporterRSSHeldKiB: Int?
        var pythonOpened: Int?
        var pythonRSSBeforeKiB: Int?
        var pythonRSSHeldKiB: Int?
        var errors: [String: String] = [:]

        /// KiB per held connection, from the resident memory before and while holding.
        static func perConnection(_ before: Int?, _ held: Int?, _ n: Int?) -> Double? {
            guard let before, let held, let n, n > 0 else { return nil }
            return Double(held - before) / Double(n)
        }
        var exporterKiBPerConnection: Double? { Self.perConnection(exporterRSSBeforeKiB, exporterRSSHeldKiB, fleetHeld) }
        var pythonKiBPerConnection: Double? { Self.perConnection(pythonRSSBeforeKiB, pythonRSSHeldKiB, pythonOpened) }
    }

    static func run(_ settings: BenchSettings, log: (String) -> Void) async -> (rows: [BenchRow], report: Report) {
        var report = Report()
        let group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        await measure(settings, report: &report, group: group, log: log)
        try? await group.shutdownGracefully()
        return (rows(report, settings), report)
    }

    private static func measure(_ settings: BenchSettings, report: inout Report, group: MultiThreadedEventLoopGroup, log: (String) -> Void)
        async
    {
        log(
            "5. exporter: \(settings.exporterConcurrency) concurrent probes for \(settings.exporterSeconds) s; a fleet of \(settings.exporterFleet) connections, vs Python websockets"
        )
        guard let echo = try? await EchoServer.start(eventLoopGroup: group) else {
            report.errors["echo"] = "the echo server could not start"
            return
        }
        await measure(settings, echo: echo, report: &report, group: group, log: log)
        await echo.shutdown()
    }

    private static func measure(
        _ settings: BenchSettings, echo: EchoServer, report: inout Report, group: MultiThreadedEventLoopGroup, log: (String) -> Void
    ) async {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent(
            "ws1011-bench-exporter-\(UUID().uuidString.prefix(8))")
        defer { try? FileManager.default.removeItem(at: directory) }
        let holdSeconds = 8
        let exporter: ChildProcess
        let port: Int
        do {
            try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
            let config = directory.appendingPathComponent("modules.json")
            let modules = """
                {"modules": {"echo": {"profile": "echo", "timeout": "10s"},
                             "fleet": {"profile": "echo", "timeout": "\(holdSeconds * 3)s", "connections": \(settings.exporterFleet), "hold": "\(holdSeconds)s"}}}
                """
            try Data(modules.utf8).write(to: config)
            port = try await Loopback.freePort(group: group)
            exporter = try ChildProcess(
                settings.ws1011Binary,
                [
                    "exporter", "--listen", "127.0.0.1:\(port)", "--config", config.path, "--max-concurrent",
                    "\(settings.exporterConcurrency * 2)",
                ])
            try await Loopback.waitForListener(port: port, within: .seconds(20), group: group)
        } catch {
            report.errors["exporter"] = "the exporter could not start: \(error)"
            return
        }
        await measure(
            settings, exporter: exporter, port: port, echo: echo, holdSeconds: holdSeconds, report: &report, group: group, log: log)
        await exporter.stop()
    }

    private static func measure(
        _ settings: BenchSettings, exporter: ChildProcess, port: Int, echo: EchoServer, holdSeconds: Int, report: inout Report,
        group: MultiThreadedEventLoopGroup, log: (String) -> Void
    ) async {
        let target = echo.url.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? echo.url

        // Probes per second per core: `concurrency` scrapers in a loop, bounded in time and count.
        let duration = Duration.seconds(double: settings.exporterSeconds)
        let cpuBefore = ProcCPU.seconds(pid: exporter.pid)
        let started = ContinuousClock.now
        let deadline = started + duration
        let counts = await withTaskGroup(of: (Int, Int, Int).self) { tasks in
            for _ in 0..<settings.exporterConcurrency {
                tasks.addTask {
                    var ok = 0, failed = 0, refused = 0
                    for _ in 0..<10_000 where ContinuousClock.now < deadline {
                        switch try? await get(port: port, path: "/probe?target=\(target)&module=echo", group: group) {
                        case (200, let body)? where body.contains("\nprobe_success 1\n"): ok += 1
                        case (503, _)?: refused += 1
                        default: failed += 1
                        }
                    }
                    return (ok, failed, refused)
                }
            }
            var total = (0, 0, 0)
            for await c in tasks { total = (total.0 + c.0, total.1 + c.1, total.2 + c.2) }
            return total
        }
        report.seconds = (ContinuousClock.now - started).ms / 1000
        report.probes = counts.0
        report.failedProbes = counts.1
        report.refusedProbes = counts.2
        if let before = cpuBefore, let after = ProcCPU.seconds(pid: exporter.pid), after > before {
            report.cpuSeconds = after - before
            report.probesPerCPUSecond = Double(counts.0) / (after - before)
        }
        report.probesPerSecond = Double(counts.0) / max(report.seconds, 0.001)
        log(
            String(
                format: "  %d probes answered healthy in %.1f s (%d failed, %d refused), %.1f CPU s: %.0f probes per CPU second",
                counts.0, report.seconds, counts.1, counts.2, report.cpuSeconds ?? 0, report.probesPerCPUSecond ?? 0))

        // The fleet: one probe holding `exporterFleet` connections; resident memory sampled while it holds them.
        report.fleetRequested = settings.exporterFleet
        try? await Task.sleep(for: .seconds(1))
        report.exporterRSSBeforeKiB = ProcStatus.read(pid: exporter.pid)?.rssKiB
        async let fleetAnswer = try? get(
            port: port, path: "/probe?target=\(target)&module=fleet", group: group, bound: .seconds(holdSeconds * 4))
        var peak = 0
        let sampleUntil = ContinuousClock.now + .seconds(holdSeconds + 4)
        while ContinuousClock.now < sampleUntil {
            if let rss = ProcStatus.read(pid: exporter.pid)?.rssKiB { peak = max(peak, rss) }
            try? await Task.sleep(for: .milliseconds(200))
        }
        report.exporterRSSHeldKiB = peak > 0 ? peak : nil
        if let (status, body) = await fleetAnswer, status == 200 {
            report.fleetHeld = metric(body, #"probe_ws1011_fleet_connections{outcome="held"}"#).map { Int($0) }
            report.fleetVerdict = body.split(separator: "\n").first { $0.hasPrefix("probe_ws1011_verdict{") }.map(String.init)
        } else {
            report.errors["fleet"] = "the fleet probe got no answer"
        }
        log(
            "  fleet: \(report.fleetHeld ?? 0) of \(settings.exporterFleet) held; RSS \(report.exporterRSSBeforeKiB ?? 0) → \(report.exporterRSSHeldKiB ?? 0) KiB; \(report.fleetVerdict ?? "")"
        )

        // The Python websockets client holding as many connections to the same echo server.
        let pythonReady =
            FileManager.default.isExecutableFile(atPath: settings.python)
            && FileManager.default.fileExists(atPath: settings.pythonFleetClient)
        guard pythonReady else {
            report.errors["python"] =
                "no Python client: \(settings.python) or \(settings.pythonFleetClient) is missing (scripts/bench.sh makes the venv with `pip install websockets`)"
            return
        }
        do {
            let child = try ChildProcess(
                settings.python,
                [
                    settings.pythonFleetClient, "--url", echo.url, "--connections", String(settings.exporterFleet), "--seconds",
                    String(holdSeconds),
                ])
            let exited = await child.waitForExit(within: .seconds(holdSeconds + 60))
            if !exited { await child.stop() }
            guard exited, child.exitStatus == 0, let line = child.standardOutput.split(separator: "\n").last,
                let object = try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any]
            else {
                throw LoadError(
                    "the Python fleet client failed (exit \(child.exitStatus.map(String.init) ?? "timeout")): \(child.standardError.suffix(400))"
                )
            }
            report.pythonOpened = object["opened"] as? Int
            report.pythonRSSBeforeKiB = object["rssBeforeKiB"] as? Int
            report.pythonRSSHeldKiB = object["rssHeldKiB"] as? Int
            log(
                "  python websockets: \(report.pythonOpened ?? 0) held; RSS \(report.pythonRSSBeforeKiB ?? 0) → \(report.pythonRSSHeldKiB ?? 0) KiB"
            )
        } catch {
            report.errors["python"] = "\(error)"
        }
    }

    /// The value of the first sample line `series value`.
    static func metric(_ body: String, _ series: String) -> Double? {
        body.split(separator: "\n").first { $0.hasPrefix(series + " ") }.flatMap { Double($0.split(separator: " ").last ?? "") }
    }

    /// One `GET` to the exporter on 127.0.0.1 with `Connection: close`, read to EOF (bounded).
    static func get(port: Int, path: String, group: any EventLoopGroup, bound: Duration = .seconds(30)) async throws -> (Int, String) {
        let promise = group.next().makePromise(of: String.self)
        let channel = try await ClientBootstrap(group: group)
            .channelInitializer { channel in
                channel.eventLoop.makeCompletedFuture { try channel.pipeline.syncOperations.addHandler(Collector(promise: promise)) }
            }
            .connect(host: Loopback.host, port: port).get()
        let timeout = channel.eventLoop.scheduleTask(in: TimeAmount(bound)) { channel.close(promise: nil) }
        try await channel.writeAndFlush(ByteBuffer(string: "GET \(path) HTTP/1.1\r\nHost: 127.0.0.1:\(port)\r\nConnection: close\r\n\r\n"))
        let raw = try await promise.futureResult.get()
        timeout.cancel()
        guard let split = raw.range(of: "\r\n\r\n"), let status = Int(raw.split(separator: " ").dropFirst().first ?? "") else {
            return (0, raw)
        }
        return (status, "\n" + String(raw[split.upperBound...]))
    }

    final class Collector: ChannelInboundHandler, @unchecked Sendable {
        typealias InboundIn = ByteBuffer
        private var bytes: [UInt8] = []
        private let promise: EventLoopPromise<String>
        init(promise: EventLoopPromise<String>) { self.promise = promise }
        func channelRead(context: ChannelHandlerContext, data: NIOAny) { bytes += Array(unwrapInboundIn(data).readableBytesView) }
        func channelInactive(context: ChannelHandlerContext) { promise.succeed(String(decoding: bytes, as: UTF8.self)) }
        func errorCaught(context: ChannelHandlerContext, error: any Error) { context.close(promise: nil) }
    }

    static func rows(_ r: Report, _ settings: BenchSettings) -> [BenchRow] {
        let note = r.errors["exporter"] ?? r.errors["echo"]
        let sustained = r.probes > 0 && r.failedProbes == 0 && r.refusedProbes == 0
        return [
            BenchRow(
                benchmark: "5 exporter", metric: "probes / CPU second (one core)", value: r.probesPerCPUSecond, unit: "probes/s",
                goal: "measured", met: nil, note: note),
            BenchRow(
                benchmark: "5 exporter", metric: "\(settings.exporterConcurrency) concurrent probes: healthy answers / s",
                value: r.probesPerSecond,
                unit: "probes/s", goal: "all \(settings.exporterConcurrency) sustained, none failed or refused",
                met: r.probes > 0 ? sustained : nil,
                note: note ?? (r.failedProbes + r.refusedProbes > 0 ? "\(r.failedProbes) failed, \(r.refusedProbes) refused" : nil)),
            BenchRow(
                benchmark: "5 exporter", metric: "fleet connections held by one probe", value: r.fleetHeld.map(Double.init), unit: "conns",
                goal: "all \(settings.exporterFleet)", met: r.fleetHeld.map { $0 == settings.exporterFleet },
                note: note ?? r.errors["fleet"]),
            BenchRow(
                benchmark: "5 exporter", metric: "memory per fleet connection (RSS)", value: r.exporterKiBPerConnection, unit: "KiB",
                peer: "Python websockets", peerValue: r.pythonKiBPerConnection, goal: "side by side (lower is better)",
                met: nil, note: r.errors["python"]),
        ]
    }
}
