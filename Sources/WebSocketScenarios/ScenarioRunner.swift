import Foundation
import NIOCore
import WebSocketDiagnosis
import WebSocketLab
import WebSocketProbe

/// Runs scenarios on loopback: starts the topology (lab backend, fault proxy in front when asked, TLS from the
/// lab CA when asked), runs the probe through ``ProbeRunner`` (so the verdict comes from the real classifier,
/// never from the scenario's expected fields) — withheld pongs, our own keepalive and an oversized message
/// included, exactly as `ws1011 diagnose` would run them — reads the observed signature and compares.
public struct ScenarioRunner: Sendable {
    /// Users tokens are minted for (default `Fixtures/test_users.json`, found from the working directory).
    public var users: [TestUser]
    /// How many scenarios run at once (default 4; every port comes from the OS).
    public var maxConcurrent: Int
    /// Event loops for servers and clients (default the NIO singleton).
    public var eventLoopGroup: (any EventLoopGroup)?

    /// Creates a runner.
    public init(users: [TestUser] = TestUser.fixturesOrDefaults(), maxConcurrent: Int = 4, eventLoopGroup: (any EventLoopGroup)? = nil) {
        self.users = users
        self.maxConcurrent = max(1, maxConcurrent)
        self.eventLoopGroup = eventLoopGroup
    }

    // MARK: - Many

    /// Runs `scenarios`, up to ``maxConcurrent`` at a time; results come back in the order given.
    public func run(_ scenarios: [Scenario]) async -> [ScenarioResult] {
        await withTaskGroup(of: (Int, ScenarioResult).self) { group in
            var results = [ScenarioResult?](repeating: nil, count: scenarios.count)
            var next = 0
            func launch() {
                let index = next
                let scenario = scenarios[index]
                group.addTask { (index, await self.run(scenario)) }
                next += 1
            }
            while next < scenarios.count, next < maxConcurrent { launch() }
            while let (index, result) = await group.next() {
                results[index] = result
                if next < scenarios.count { launch() }
            }
            return results.compactMap { $0 }
        }
    }

    // MARK: - One

    /// Runs one scenario. Never throws: a topology that cannot start is a result with ``ScenarioResult/error``.
    public func run(_ scenario: Scenario) async -> ScenarioResult {
        let started = ContinuousClock.now
        func elapsed() -> Double { (ContinuousClock.now - started).milliseconds }
        let topology: ScenarioTopologyInstance
        do {
            topology = try await ScenarioTopologyInstance.start(scenario, eventLoopGroup: eventLoopGroup)
        } catch {
            return ScenarioResult(
                id: scenario.id, title: scenario.title, expected: scenario.expected, observed: nil, mismatches: [],
                error: "cannot start the topology: \(error)", durationMs: elapsed())
        }
        let observation: ScenarioResult.Observation
        do {
            observation = try await probe(scenario, on: topology)
        } catch {
            await topology.shutdown()
            return ScenarioResult(
                id: scenario.id, title: scenario.title, expected: scenario.expected, observed: nil, mismatches: [],
                error: "cannot run the probe: \(error)", durationMs: elapsed())
        }
        await topology.shutdown()
        return ScenarioResult.compare(scenario, observed: observation, durationMs: elapsed())
    }

    // MARK: - Probe

    private func probe(_ scenario: Scenario, on topology: ScenarioTopologyInstance) async throws -> ScenarioResult.Observation {
        let options = scenario.probe
        let email =
            options.user ?? users.first(where: { $0.permissions.contains(TestUser.agentExecution) })?.email ?? TestUser.enterprise.email
        let token = try await topology.primary.mintToken(email: email)
        let target = try WebSocketURL(parsing: topology.clientURL)

        // Changes during the run, timed from the moment the probe's connections are open on the backend
        // instances — the front's and, with `direct`, the direct one (bounded): on a loaded machine the handshake
        // alone can outlast a short `after`, and a change meant for a live connection would then hit the
        // upgrade instead.
        let openBound = (options.handshakeTimeout?.duration ?? .seconds(3)) * 2
        let openConnections = options.direct ? 2 : 1
        let timeline = Task {
            if !scenario.timeline.isEmpty {
                let deadline = ContinuousClock.now + openBound
                while topology.labs.reduce(0, { $0 + $1.openConnectionCount }) < openConnections, ContinuousClock.now < deadline,
                    !Task.isCancelled
                {
                    try? await Task.sleep(for: .milliseconds(5))
                }
            }
            var elapsed: Duration = .zero
            for step in scenario.timeline {
                let wait = step.after.duration - elapsed
                if wait > .zero { try? await Task.sleep(for: wait) }
                elapsed = step.after.duration
                guard !Task.isCancelled else { return }
                if let faults = step.appFaults { try? topology.setAppFaults(faults.map(\.spec)) }
                if let faults = step.proxyFaults { try? topology.setProxyFaults(faults.map(\.spec)) }
            }
        }
        defer { timeline.cancel() }

        var probeOptions = ProbeOptions()
        probeOptions.names = .scenarioFile
        probeOptions.profile = options.profile
        probeOptions.connectTimeout = options.handshakeTimeout?.duration ?? .seconds(3)
        probeOptions.messageTimeout = options.messageTimeout?.duration ?? .seconds(3)
        probeOptions.closeTimeout = .seconds(2)
        probeOptions.trustRootsPEM = topology.trustRootsPEM
        probeOptions.authChannelMatrix = options.authChannels
        probeOptions.idleProbe = options.idleProbe?.duration
        probeOptions.lifetimeProbe = options.lifetimeProbe?.duration
        probeOptions.sustain = options.sustain?.duration
        probeOptions.trafficInterval = .milliseconds(250)
        probeOptions.withholdPongs = options.withholdPongs
        probeOptions.keepalive = options.keepalive.map { .init(interval: $0.interval.duration, timeout: $0.timeout.duration) }
        probeOptions.messageSize = options.messageBytes
        if options.direct { probeOptions.direct = try WebSocketURL(parsing: topology.directURL) }
        probeOptions.token = .literal(token)
        probeOptions.credentialChannel = AuthChannel(rawValue: options.credential)
        let plan = try probeOptions.plan(for: target)
        let report = try await ProbeRunner(plan: plan, eventLoopGroup: eventLoopGroup).run()
        let source = scenario.expected.signature.from
        let transcript: ConnectionTranscript? =
            switch source {
            case .main: report.transcript
            case .direct: report.directTranscript
            case .idle: report.measurements?.idleTranscript
            case .lifetime: report.measurements?.lifetimeTranscript
            }
        var signature = ObservedSignature(transcript: transcript, from: source)
        signature.h2 = report.http2?.outcome.rawValue
        signature.wireBytes = [
            report.transcript, report.directTranscript, report.measurements?.idleTranscript, report.measurements?.lifetimeTranscript,
        ]
        .compactMap { $0 }.reduce(0) { $0 + $1.wire.bytesIn + $1.wire.bytesOut }
        return .init(signature: signature, verdict: report.verdict)
    }
}
