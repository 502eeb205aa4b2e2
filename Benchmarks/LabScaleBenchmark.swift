import Foundation
import NIOCore
import NIOPosix
import WebSocketAuth
import WebSocketLab
import WebSocketProbe

/// Benchmark 3: N authenticated connections held against the lab backend (a separate `ws1011 lab`
/// process, so its peak RSS is the backend's alone), then concurrent users each running an agent to
/// `agent_completed`, checking that no event reaches the wrong user.
enum LabScaleBenchmark {
    struct Report: Sendable, Codable {
        var labMode: String?
        var requested = 0
        var held = 0
        var stillOpenAtMeasurement = 0
        var holdSeconds: Double?
        var connectFailures: [String] = []
        var baselineRSSKiB: Int?
        var rssAfterHoldKiB: Int?
        var peakRSSAfterHoldKiB: Int?
        var peakRSSAfterAgentsKiB: Int?
        var labDescriptorsAfterHold: Int?
        var kibPerConnection: Double?
        var agentUsers = 0
        var agentsCompleted = 0
        var agentSeconds: Double?
        var agentEvents = 0
        var misdeliveredEvents = 0
        var agentErrors: [String] = []
        var errors: [String: String] = [:]
    }

    static func run(_ settings: BenchSettings, log: (String) -> Void) async -> (rows: [BenchRow], report: Report) {
        var report = Report()
        report.requested = settings.labConnections
        report.agentUsers = settings.agentUsers
        let group = MultiThreadedEventLoopGroup(numberOfThreads: System.coreCount)
        await measure(settings, report: &report, group: group, log: log)
        try? await group.shutdownGracefully()
        return (rows(report, settings), report)
    }

    private static func measure(_ settings: BenchSettings, report: inout Report, group: MultiThreadedEventLoopGroup, log: (String) -> Void)
        async
    {
        log("3. lab at scale: \(settings.labConnections) held connections, then \(settings.agentUsers) concurrent agent users")

        // The lab: its own process when the release binary exists.
        var child: ChildProcess?
        var inProcess: LabServer?
        let port: Int
        do {
            if FileManager.default.isExecutableFile(atPath: settings.ws1011Binary) {
                let process = try ChildProcess(settings.ws1011Binary, ["lab", "--port", "0"])
                child = process
                let line = try await process.waitForLine(containing: "WebSocket:", within: .seconds(20))
                guard let url = line.split(separator: " ").last, let p = try? WebSocketURL(parsing: String(url)).port else {
                    throw LoadError("cannot read the lab's URL from '\(line)'")
                }
                port = p
                report.labMode = "separate process (\(settings.ws1011Binary) lab, pid \(process.pid))"
            } else {
                let lab = try await LabServer.start(LabConfiguration())
                inProcess = lab
                port = lab.port
                report.labMode = "in-process LabServer (no release binary at \(settings.ws1011Binary)): RSS not measured"
            }
        } catch {
            report.errors["lab"] = "\(error)"
            await child?.stop()
            return
        }
        let pid = child?.pid
        try? await Task.sleep(for: .milliseconds(300))
        report.baselineRSSKiB = pid.flatMap(ProcStatus.read)?.rssKiB

        // Held connections.
        var held: [Channel] = []
        do {
            let tokens = try await mintTokens(prefix: "bench-hold", count: settings.labConnections)
            let start = NIODeadline.now()
            let outcome = await connectUsers(
                tokens: tokens, port: port, runsAgent: false, window: 256, bound: .seconds(120), group: group)
            report.holdSeconds = Double((NIODeadline.now() - start).nanoseconds) / 1e9
            held = outcome.channels
            report.held = held.count
            report.connectFailures = Array(outcome.failures.prefix(5))
            log(String(format: "  held %d of %d connections in %.1f s", held.count, settings.labConnections, report.holdSeconds ?? 0))
            try? await Task.sleep(for: .milliseconds(500))
            report.stillOpenAtMeasurement = held.filter(\.isActive).count
            if let pid, let status = ProcStatus.read(pid: pid) {
                report.rssAfterHoldKiB = status.rssKiB
                report.peakRSSAfterHoldKiB = status.peakRSSKiB
                report.labDescriptorsAfterHold = ProcStatus.openDescriptors(pid: pid)
                if let base = report.baselineRSSKiB, report.held > 0 {
                    report.kibPerConnection = Double(status.rssKiB - base) / Double(report.held)
                }
                log(
                    "  lab RSS \(status.rssKiB / 1024) MiB (peak \(status.peakRSSKiB / 1024) MiB), \(report.kibPerConnection.map { String(format: "%.1f", $0) } ?? "?") KiB a connection"
                )
            }
        } catch {
            report.errors["hold"] = "\(error)"
        }

        // Agent users, while the held connections stay open.
        do {
            let tokens = try await mintTokens(prefix: "bench-agent", count: settings.agentUsers)
            let start = NIODeadline.now()
            let outcome = await connectUsers(
                tokens: tokens, port: port, runsAgent: true, window: 256, bound: .seconds(60), group: group)
            var results: [LabUserHandler.AgentResult] = []
            for future in outcome.finished {
                if let r = try? await value(of: future, within: .seconds(30), "an agent run") { results.append(r) }
            }
            let completed = results.filter(\.completed)
            report.agentsCompleted = completed.count
            report.agentEvents = results.reduce(0) { $0 + $1.events }
            report.misdeliveredEvents = results.reduce(0) { $0 + $1.misdelivered }
            report.agentErrors = Array(Set(results.compactMap(\.error) + outcome.failures).prefix(5))
            if let last = completed.map(\.finishedAtNanos).max() {
                report.agentSeconds = Double(last - start.uptimeNanoseconds) / 1e9
            }
            log(
                String(
                    format: "  %d of %d agents completed in %.2f s, %d events, %d misdelivered", report.agentsCompleted,
                    settings.agentUsers, report.agentSeconds ?? -1, report.agentEvents, report.misdeliveredEvents))
            for channel in outcome.channels { channel.close(promise: nil) }
        } catch {
            report.errors["agents"] = "\(error)"
        }
        if let pid { report.peakRSSAfterAgentsKiB = ProcStatus.read(pid: pid)?.peakRSSKiB }

        for channel in held { channel.close(promise: nil) }
        try? await Task.sleep(for: .milliseconds(300))
        await child?.stop()
        await inProcess?.shutdown()
    }

    /// Access tokens for `count` distinct users `<prefix>-<i>@load.example` (sub `<prefix>-<i>`).
    static func mintTokens(prefix: String, count: Int) async throws -> [(user: String, token: String)] {
        var out: [(String, String)] = []
        out.reserveCapacity(count)
        for i in 0..<count {
            let email = "\(prefix)-\(i)@load.example"
            let token = try TokenMinter.mint(secret: LabConfiguration.defaultSecret, user: email)
            out.append((TokenMinter.defaultUserID(for: email), token))
        }
        return out
    }

    struct ConnectOutcome: Sendable {
        var channels: [Channel] = []
        var finished: [EventLoopFuture<LabUserHandler.AgentResult>] = []
        var failures: [String] = []
    }

    /// Connects one raw client per token, at most `window` upgrades in flight, stopping new ones after `bound`.
    static func connectUsers(
        tokens: [(user: String, token: String)], port: Int, runsAgent: Bool, window: Int, bound: Duration, group: any EventLoopGroup
    ) async -> ConnectOutcome {
        let deadline = ContinuousClock.now + bound
        return await withTaskGroup(of: (Channel?, EventLoopFuture<LabUserHandler.AgentResult>?, String?).self) { tasks in
            var outcome = ConnectOutcome()
            var next = 0
            func add() {
                let (user, token) = tokens[next]
                next += 1
                tasks.addTask {
                    let loop = group.next()
                    let welcomed = loop.makePromise(of: Void.self)
                    let finished = runsAgent ? loop.makePromise(of: LabUserHandler.AgentResult.self) : nil
                    let request = ByteBuffer(
                        string: WireCodec.upgradeRequest(
                            host: Loopback.host, port: port, path: "/ws", subprotocols: ["jwt-auth", "jwt." + token]))
                    do {
                        let channel = try await ClientBootstrap(group: loop)
                            .connectTimeout(.seconds(10))
                            .channelInitializer { channel in
                                channel.eventLoop.makeCompletedFuture {
                                    try channel.pipeline.syncOperations.addHandler(
                                        LabUserHandler(
                                            request: request, expectedUser: user, runsAgent: runsAgent, welcomed: welcomed,
                                            finished: finished))
                                }
                            }
                            .connect(host: Loopback.host, port: port).get()
                        do {
                            try await value(of: welcomed.futureResult, within: .seconds(20), "the upgrade and welcome")
                        } catch {
                            channel.close(promise: nil)
                            return (nil, nil, "\(error)")
                        }
                        return (channel, finished?.futureResult, nil)
                    } catch {
                        welcomed.fail(error)
                        finished?.succeed(.init(error: "\(error)"))
                        return (nil, nil, "connect: \(error)")
                    }
                }
            }
            while next < tokens.count, next < window { add() }
            for await (channel, finished, failure) in tasks {
                if let channel { outcome.channels.append(channel) }
                if let finished { outcome.finished.append(finished) }
                if let failure { outcome.failures.append(failure) }
                if next < tokens.count, ContinuousClock.now < deadline { add() }
            }
            return outcome
        }
    }

    static func rows(_ r: Report, _ settings: BenchSettings) -> [BenchRow] {
        let b = "3 lab at scale"
        let note = r.errors["lab"] ?? r.errors["hold"] ?? r.connectFailures.first.map { "first connect failure: \($0)" }
        let gib = 1024.0 * 1024
        let peak = [r.peakRSSAfterHoldKiB, r.peakRSSAfterAgentsKiB].compactMap { $0 }.max()
        var rows = [
            BenchRow(
                benchmark: b, metric: "authenticated connections held", value: Double(r.held), unit: "conn",
                goal: "= \(settings.labConnections)",
                met: r.errors["lab"] == nil ? r.held == settings.labConnections && r.stillOpenAtMeasurement == r.held : nil,
                note: note),
            BenchRow(
                benchmark: b, metric: "lab peak RSS (VmHWM)", value: peak.map { Double($0) / 1024 }, unit: "MiB",
                goal: "< 1024 MiB", met: peak.map { Double($0) < gib },
                note: r.labMode?.hasPrefix("in-process") == true ? r.labMode : nil),
            BenchRow(
                benchmark: b, metric: "lab RSS per held connection", value: r.kibPerConnection, unit: "KiB",
                goal: "< 100 KiB", met: r.kibPerConnection.map { $0 < 100 }),
        ]
        rows.append(
            BenchRow(
                benchmark: b, metric: "\(settings.agentUsers) concurrent agents to agent_completed", value: r.agentSeconds, unit: "s",
                goal: "< 10 s, all complete", met: r.agentSeconds.map { $0 < 10 && r.agentsCompleted == settings.agentUsers },
                note: r.errors["agents"]
                    ?? (r.agentsCompleted < settings.agentUsers
                        ? "\(r.agentsCompleted) of \(settings.agentUsers) completed; \(r.agentErrors.first ?? "")" : nil)))
        rows.append(
            BenchRow(
                benchmark: b, metric: "events delivered to the wrong user/run", value: Double(r.misdeliveredEvents), unit: "events",
                goal: "= 0 (of \(r.agentEvents) checked)", met: r.agentEvents > 0 ? r.misdeliveredEvents == 0 : nil))
        return rows
    }
}
