import Foundation
import NIOCore
import NIOPosix
import WebSocketLab

/// Benchmark 1: echo traffic direct to the echo server, through the ws1011 fault proxy (no fault) and
/// through HAProxy in TCP mode — the same load generator, the same server, one run.
enum ProxyBenchmark {
    /// What the benchmark found, per path.
    struct Report: Sendable, Codable {
        var direct: EchoLoadGenerator.Outcome?
        var ws1011Proxy: EchoLoadGenerator.Outcome?
        var ws1011ProxyMode: String?
        var haproxy: EchoLoadGenerator.Outcome?
        var haproxyVersion: String?
        /// Event-loop threads of the ws1011 proxy and `nbthread` of HAProxy: the same for both.
        var proxyThreads: Int?
        var generatorCheck: ClientEchoLoad.Outcome?
        /// CPU time (user + system, from /proc) the ws1011 proxy process used per echoed message, in µs;
        /// nil when it ran in-process or /proc is unreadable.
        var ws1011ProxyCPUMicrosPerMessage: Double?
        /// The same for the HAProxy process.
        var haproxyCPUMicrosPerMessage: Double?
        /// The baseline ws1011 binary (`BENCH_WS1011_BASELINE`), when one was given.
        var ws1011Baseline: EchoLoadGenerator.Outcome?
        var ws1011BaselineCPUMicrosPerMessage: Double?
        /// A bare SwiftNIO forwarder (``GlueProxy``): the floor of any proxy built on SwiftNIO's channels.
        var nioFloor: EchoLoadGenerator.Outcome?
        var nioFloorCPUMicrosPerMessage: Double?
        var errors: [String: String] = [:]
    }

    /// Threads given to each proxy (`BENCH_PROXY_THREADS`, 1…16, default 1). Both proxies get the same
    /// count — the fair comparison. One is the default: on this 2-core machine the load generator and the
    /// echo server already keep a thread each busy, and a proxy thread more than cores left only adds
    /// wake-ups and cross-core hand-offs (HAProxy's own default would be one thread per CPU).
    static var proxyThreads: Int {
        ProcessInfo.processInfo.environment["BENCH_PROXY_THREADS"].flatMap { Int($0) }.map { min(max($0, 1), 16) } ?? 1
    }

    static func run(_ settings: BenchSettings, log: (String) -> Void) async -> (rows: [BenchRow], report: Report) {
        var report = Report()
        report.proxyThreads = proxyThreads
        let serverGroup = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        let loadGroup = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        await measure(settings, report: &report, serverGroup: serverGroup, loadGroup: loadGroup, log: log)
        try? await serverGroup.shutdownGracefully()
        try? await loadGroup.shutdownGracefully()
        return (rows(report, settings), report)
    }

    private static func measure(
        _ settings: BenchSettings, report: inout Report, serverGroup: MultiThreadedEventLoopGroup, loadGroup: MultiThreadedEventLoopGroup,
        log: (String) -> Void
    ) async {
        let echo: EchoServer
        do {
            echo = try await EchoServer.start(eventLoopGroup: serverGroup)
        } catch {
            report.errors["echo"] = "\(error)"
            return
        }
        let threads = proxyThreads
        log(
            "1. proxy pass-through: \(settings.proxyConnections) connections, \(settings.proxyMessageBytes)-byte messages, \(settings.proxySeconds) s per path in two halves (order A B C C B A); \(threads) thread(s) per proxy"
        )
        // Each path with the process that forwards it (nil: direct, or a proxy inside this process).
        var paths: [(name: String, port: Int, pid: Int32?)] = [("direct", echo.port, nil)]
        var cleanups: [@Sendable () async -> Void] = []

        /// `binary proxy` as its own process in front of the echo server; its port and pid.
        func startProxyProcess(_ binary: String) async throws -> (port: Int, child: ChildProcess) {
            let child = try ChildProcess(
                binary,
                [
                    "proxy", "--listen", "\(Loopback.host):0", "--upstream", "\(Loopback.host):\(echo.port)", "--threads", String(threads),
                ])
            cleanups.append { await child.stop() }
            let line = try await child.waitForLine(containing: "listening on", within: .seconds(15))
            guard let port = line.split(separator: ":").last.flatMap({ Int($0.filter(\.isNumber)) }) else {
                throw LoadError("cannot read the proxy's port from '\(line)'")
            }
            return (port, child)
        }

        // The ws1011 proxy: the release CLI as its own process (like HAProxy), else in-process.
        if FileManager.default.isExecutableFile(atPath: settings.ws1011Binary) {
            do {
                let (port, child) = try await startProxyProcess(settings.ws1011Binary)
                report.ws1011ProxyMode = "separate process (\(settings.ws1011Binary) proxy --threads \(threads), pid \(child.pid))"
                paths.append(("ws1011 proxy", port, child.pid))
            } catch {
                report.errors["ws1011 proxy"] = "\(error)"
            }
        } else {
            let proxyGroup = MultiThreadedEventLoopGroup(numberOfThreads: threads)
            do {
                let proxy = try await FaultProxy.start(
                    ProxyConfiguration(upstreams: [ProxyUpstream(host: Loopback.host, port: echo.port)]), eventLoopGroup: proxyGroup)
                report.ws1011ProxyMode = "in-process FaultProxy (\(threads) event loop(s); no release binary at \(settings.ws1011Binary))"
                paths.append(("ws1011 proxy", proxy.port, nil))
                cleanups.append { await proxy.shutdown() }
            } catch {
                report.errors["ws1011 proxy"] = "\(error)"
            }
            cleanups.append { try? await proxyGroup.shutdownGracefully() }
        }
        if let baseline = settings.ws1011Baseline {
            do {
                guard FileManager.default.isExecutableFile(atPath: baseline) else {
                    throw LoadError("BENCH_WS1011_BASELINE=\(baseline) is not an executable file: give the path of another ws1011 build")
                }
                let (port, child) = try await startProxyProcess(baseline)
                paths.append(("ws1011 baseline", port, child.pid))
            } catch {
                report.errors["ws1011 baseline"] = "\(error)"
            }
        }
        // The floor: a bare SwiftNIO forwarder, this benchmark binary started again in its glue-proxy mode.
        do {
            let me = try FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe")
            let child = try ChildProcess(me, [GlueProxy.command, String(echo.port), String(threads)])
            cleanups.append { await child.stop() }
            let line = try await child.waitForLine(containing: "listening on", within: .seconds(15))
            guard let port = line.split(separator: ":").last.flatMap({ Int($0.filter(\.isNumber)) }) else {
                throw LoadError("cannot read the glue proxy's port from '\(line)'")
            }
            paths.append(("SwiftNIO floor", port, child.pid))
        } catch {
            report.errors["SwiftNIO floor"] = "\(error)"
        }
        if let haproxy = which(settings.haproxy) {
            do {
                let process = try await HAProxyProcess.start(
                    executable: haproxy, upstreamPort: echo.port, group: loadGroup, threads: threads)
                report.haproxyVersion = process.version
                paths.append(("HAProxy", process.port, process.child.pid))
                cleanups.append { await process.stop() }
            } catch {
                report.errors["HAProxy"] = "\(error)"
            }
        } else {
            report.errors["HAProxy"] = "haproxy is not installed (apt-get install haproxy)"
        }

        // Warm-up (discarded), then A B C C B A so that drifting background load hits every path alike.
        var runs: [String: [EchoLoadGenerator.Outcome]] = [:]
        let half = Duration.seconds(double: settings.proxySeconds / 2)
        for (name, port, _) in paths {
            _ = try? await EchoLoadGenerator.run(
                host: Loopback.host, port: port, connections: settings.proxyConnections, messageBytes: settings.proxyMessageBytes,
                window: settings.window, duration: .milliseconds(500), group: loadGroup)
            _ = name
        }
        var cpu: [String: (seconds: Double, messages: Int)] = [:]
        for (name, port, pid) in paths + paths.reversed() {
            do {
                let cpuBefore = pid.flatMap(ProcCPU.seconds(pid:))
                let outcome = try await EchoLoadGenerator.run(
                    host: Loopback.host, port: port, connections: settings.proxyConnections, messageBytes: settings.proxyMessageBytes,
                    window: settings.window, duration: half, group: loadGroup)
                runs[name, default: []].append(outcome)
                if let cpuBefore, let cpuAfter = pid.flatMap(ProcCPU.seconds(pid:)) {
                    let sum = cpu[name] ?? (0, 0)
                    cpu[name] = (sum.seconds + cpuAfter - cpuBefore, sum.messages + outcome.messages)
                }
                log(
                    String(
                        format: "  %@: %.0f msg/s, p50 %.3f ms, p99 %.3f ms", name, outcome.messagesPerSecond, outcome.latency.p50Ms,
                        outcome.latency.p99Ms))
            } catch {
                report.errors[name] = "\(error)"
                log("  \(name): failed: \(error)")
            }
        }
        report.direct = EchoLoadGenerator.Outcome.merged(runs["direct"] ?? [])
        report.ws1011Proxy = EchoLoadGenerator.Outcome.merged(runs["ws1011 proxy"] ?? [])
        report.haproxy = EchoLoadGenerator.Outcome.merged(runs["HAProxy"] ?? [])
        func microsPerMessage(_ name: String) -> Double? {
            guard let c = cpu[name], c.messages > 0 else { return nil }
            return c.seconds * 1e6 / Double(c.messages)
        }
        report.ws1011ProxyCPUMicrosPerMessage = microsPerMessage("ws1011 proxy")
        report.haproxyCPUMicrosPerMessage = microsPerMessage("HAProxy")
        report.ws1011Baseline = EchoLoadGenerator.Outcome.merged(runs["ws1011 baseline"] ?? [])
        report.ws1011BaselineCPUMicrosPerMessage = microsPerMessage("ws1011 baseline")
        report.nioFloor = EchoLoadGenerator.Outcome.merged(runs["SwiftNIO floor"] ?? [])
        report.nioFloorCPUMicrosPerMessage = microsPerMessage("SwiftNIO floor")
        if let line = summary(report) { log("  " + line) }
        for cleanup in cleanups { await cleanup() }

        // Which generator is cheaper: the ws1011 client driving the same direct load.
        do {
            report.generatorCheck = try await ClientEchoLoad.run(
                url: "ws://\(Loopback.host):\(echo.port)/", connections: settings.proxyConnections,
                messageBytes: settings.proxyMessageBytes, duration: .seconds(2))
        } catch {
            report.errors["generator check"] = "\(error)"
        }
        await echo.shutdown()
    }

    static func rows(_ r: Report, _ settings: BenchSettings) -> [BenchRow] {
        let b = "1 proxy pass-through"
        let haproxyNote = r.errors["HAProxy"].map { "HAProxy could not run: \($0)" }
        let proxyNote = r.errors["ws1011 proxy"].map { "ws1011 proxy could not run: \($0)" }
        func errs(_ o: EchoLoadGenerator.Outcome?) -> String? {
            guard let o, !o.errors.isEmpty else { return nil }
            return o.errors.joined(separator: "; ")
        }
        var rows: [BenchRow] = []
        let ours = r.ws1011Proxy, peer = r.haproxy
        var throughputMet: Bool?
        if let ours, let peer { throughputMet = ours.messagesPerSecond >= peer.messagesPerSecond }
        rows.append(
            BenchRow(
                benchmark: b, metric: "msg/s via ws1011 proxy", value: ours?.messagesPerSecond, unit: "msg/s",
                peer: "HAProxy tcp", peerValue: peer?.messagesPerSecond, goal: "≥ 1.00× HAProxy", met: throughputMet,
                note: proxyNote ?? haproxyNote ?? errs(ours) ?? errs(peer)))
        var p99Met: Bool?
        if let ours, let peer { p99Met = ours.latency.p99Ms <= peer.latency.p99Ms }
        rows.append(
            BenchRow(
                benchmark: b, metric: "p99 RTT via ws1011 proxy", value: ours?.latency.p99Ms, unit: "ms",
                peer: "HAProxy tcp", peerValue: peer?.latency.p99Ms, goal: "≤ 1.00× HAProxy", met: p99Met))
        var cpuMet: Bool?
        if let mine = r.ws1011ProxyCPUMicrosPerMessage, let theirs = r.haproxyCPUMicrosPerMessage { cpuMet = mine <= theirs }
        rows.append(
            BenchRow(
                benchmark: b, metric: "proxy CPU per round trip (user+sys)", value: r.ws1011ProxyCPUMicrosPerMessage, unit: "µs",
                peer: "HAProxy tcp", peerValue: r.haproxyCPUMicrosPerMessage, goal: "≤ 1.00× HAProxy", met: cpuMet,
                note: r.ws1011ProxyCPUMicrosPerMessage == nil ? "CPU is read from /proc/PID/stat of a separate proxy process" : nil))
        rows.append(
            BenchRow(
                benchmark: b, metric: "p50 RTT via ws1011 proxy", value: ours?.latency.p50Ms, unit: "ms",
                peer: "HAProxy tcp", peerValue: peer?.latency.p50Ms, goal: "(info)", met: nil))
        rows.append(
            BenchRow(
                benchmark: b, metric: "msg/s via ws1011 proxy vs direct", value: ours?.messagesPerSecond, unit: "msg/s",
                peer: "direct", peerValue: r.direct?.messagesPerSecond, goal: "(info)", met: nil, note: r.errors["direct"]))
        rows.append(
            BenchRow(
                benchmark: b, metric: "p50 / p99 RTT direct", value: r.direct?.latency.p50Ms, unit: "ms",
                peer: "direct p99", peerValue: r.direct?.latency.p99Ms, goal: "(info)", met: nil))
        if settings.ws1011Baseline != nil {
            let baselineNote = r.errors["ws1011 baseline"]
            rows.append(
                BenchRow(
                    benchmark: b, metric: "msg/s via ws1011 proxy vs baseline build", value: ours?.messagesPerSecond, unit: "msg/s",
                    peer: "ws1011 baseline", peerValue: r.ws1011Baseline?.messagesPerSecond, goal: "(info)", met: nil, note: baselineNote))
            rows.append(
                BenchRow(
                    benchmark: b, metric: "p99 RTT via ws1011 proxy vs baseline build", value: ours?.latency.p99Ms, unit: "ms",
                    peer: "ws1011 baseline", peerValue: r.ws1011Baseline?.latency.p99Ms, goal: "(info)", met: nil))
            rows.append(
                BenchRow(
                    benchmark: b, metric: "proxy CPU per round trip vs baseline build", value: r.ws1011ProxyCPUMicrosPerMessage, unit: "µs",
                    peer: "ws1011 baseline", peerValue: r.ws1011BaselineCPUMicrosPerMessage, goal: "(info)", met: nil))
        }
        // Where the difference to HAProxy lies: the ws1011 proxy against a bare SwiftNIO forwarder (its own
        // logic), and that forwarder against HAProxy (SwiftNIO's per-event cost).
        let floorNote = r.errors["SwiftNIO floor"].map { "the bare SwiftNIO forwarder could not run: \($0)" }
        rows.append(
            BenchRow(
                benchmark: b, metric: "proxy CPU per round trip vs bare SwiftNIO forwarder", value: r.ws1011ProxyCPUMicrosPerMessage,
                unit: "µs",
                peer: "SwiftNIO floor", peerValue: r.nioFloorCPUMicrosPerMessage, goal: "(info)", met: nil, note: floorNote))
        rows.append(
            BenchRow(
                benchmark: b, metric: "p99 RTT via ws1011 proxy vs bare SwiftNIO forwarder", value: ours?.latency.p99Ms, unit: "ms",
                peer: "SwiftNIO floor", peerValue: r.nioFloor?.latency.p99Ms, goal: "(info)", met: nil))
        rows.append(
            BenchRow(
                benchmark: b, metric: "bare SwiftNIO forwarder CPU per round trip vs HAProxy", value: r.nioFloorCPUMicrosPerMessage,
                unit: "µs",
                peer: "HAProxy tcp", peerValue: r.haproxyCPUMicrosPerMessage, goal: "(info)", met: nil))
        rows.append(
            BenchRow(
                benchmark: b, metric: "generator: raw NIO vs ws1011 client (direct)", value: r.direct?.messagesPerSecond, unit: "msg/s",
                peer: "ws1011 client load", peerValue: r.generatorCheck?.messagesPerSecond, goal: "raw NIO ≥ client (cheaper generator)",
                met: r.direct.flatMap { d in r.generatorCheck.map { d.messagesPerSecond >= $0.messagesPerSecond } },
                note: r.errors["generator check"]))
        return rows
    }

    /// One line: the ws1011 proxy against HAProxy in this run (throughput, p99, CPU per round trip); nil
    /// when either did not run.
    static func summary(_ r: Report) -> String? {
        guard let ours = r.ws1011Proxy, let peer = r.haproxy, peer.messagesPerSecond > 0, peer.latency.p99Ms > 0 else { return nil }
        var line = String(
            format: "ws1011 proxy / HAProxy: throughput %.2f× (%.0f vs %.0f msg/s), p99 %.2f× (%.3f vs %.3f ms)",
            ours.messagesPerSecond / peer.messagesPerSecond, ours.messagesPerSecond, peer.messagesPerSecond,
            ours.latency.p99Ms / peer.latency.p99Ms, ours.latency.p99Ms, peer.latency.p99Ms)
        if let mine = r.ws1011ProxyCPUMicrosPerMessage, let theirs = r.haproxyCPUMicrosPerMessage, theirs > 0 {
            line += String(format: ", CPU per round trip %.2f× (%.1f vs %.1f µs)", mine / theirs, mine, theirs)
        }
        if let floor = r.nioFloorCPUMicrosPerMessage, let theirs = r.haproxyCPUMicrosPerMessage, floor > 0, theirs > 0,
            let mine = r.ws1011ProxyCPUMicrosPerMessage
        {
            line += String(
                format: "; bare SwiftNIO forwarder %.1f µs (ws1011 / it %.2f×, it / HAProxy %.2f×)", floor, mine / floor, floor / theirs)
        }
        return line
    }
}
