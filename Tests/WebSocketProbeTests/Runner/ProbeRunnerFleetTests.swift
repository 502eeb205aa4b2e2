import Foundation
import Synchronization
import Testing
import WebSocketDiagnosis
import WebSocketLab

@testable import WebSocketProbe

/// End-to-end: `--connections N` through the fault proxy in front of the lab, with the fault installed once
/// the fleet starts (the main attempt runs first, unharmed).
@Suite("Probe runner fleet through the fault proxy")
struct ProbeRunnerFleetTests {
    /// Runs a fleet of `n` held `hold` through a proxy in front of the lab; `fault` is installed when the fleet starts.
    /// With `deadInstance`, the proxy balances round-robin over the lab, a port that refuses, and the lab again.
    private func fleetRun(
        _ n: Int, hold: Duration, fault: String?, maxTime: Duration = .seconds(60), deadInstance: Bool = false,
        profile: ProbeProfile = .reference
    ) async throws -> DiagnosisReport {
        let lab = try await LabServer.start(LabConfiguration())
        let closed = try ClosedPort()  // bound, never listening: refuses
        defer { withExtendedLifetime(closed) {} }
        let good = ProxyUpstream(host: "127.0.0.1", port: lab.port)
        let upstreams = deadInstance ? [good, ProxyUpstream(host: "127.0.0.1", port: closed.port), good] : [good]
        let proxy: FaultProxy
        do {
            proxy = try await FaultProxy.start(ProxyConfiguration(upstreams: upstreams))
        } catch {
            await lab.shutdown()
            throw error
        }
        do {
            let token = try await lab.mintToken(email: TestUser.enterprise.email)
            var plan = ProbePlan(target: try WebSocketURL(parsing: proxy.url(path: "/ws")))
            plan.profile = profile
            plan.token = .literal(token)
            plan.authChannelMatrix = false
            plan.connections = n
            plan.fleetHold = hold
            plan.maxTime = maxTime
            let spec = try fault.map { try FaultSpec(parsing: $0) }
            let installed = Mutex(false)
            let sink: ProbeProgressSink = { progress in
                guard progress.activity == "fleet" else { return }
                let first = installed.withLock { done in
                    defer { done = true }
                    return !done
                }
                if first, let spec { try? proxy.addFault(spec) }
            }
            let report = try await ProbeRunner(plan: plan, progress: sink).run()
            #expect(installed.withLock { $0 }, "the fleet started")
            // The fleet's example transcripts carry the upgrade request: the token never shows, in any form.
            let json = try JSONReportRenderer.render(report)
            #expect(!json.contains(token) && !json.contains(Redactor.base64url(token)), "the token leaked into the fleet block")
            if let fleet = report.fleet, fleet.ended > 0 { #expect(!fleet.examples.isEmpty) }
            await proxy.shutdown()
            await lab.shutdown()
            return report
        } catch {
            await proxy.shutdown()
            await lab.shutdown()
            throw error
        }
    }

    @Test func aReloadCuttingTheWholeFleetAtOnceIsTheReloadWithItsWindowAndCount() async throws {
        // A 4 s hold spreads the opens over 2 s; the reload cuts them 2.6 s into the fleet, at ages 0.6–2.6 s.
        let report = try await fleetRun(6, hold: .seconds(4), fault: "reload:after=2600ms")
        let fleet = try #require(report.fleet)
        #expect(fleet.opened == 6)
        #expect(fleet.ended == 6, "\(fleet.connections.map(\.signature))")
        #expect(fleet.clusters.first?.count == 6)
        #expect(fleet.clusters.first?.signature == "bare end")
        #expect(fleet.connections.allSatisfy { $0.reopenStatus == 101 }, "the reloaded proxy serves new connections")
        #expect(fleet.examples.count == FleetObservation.maximumExamples)
        #expect(report.verdict.cause == .reloadDrain, "\(report.verdict.summary)\n\(report.verdict.evidence.map(\.observation))")
        #expect(report.verdict.evidence.contains { $0.observation.contains("6 of 6 open connections ended within") })
        // The report's fleet block is in the JSON and reads back.
        let json = try JSONReportRenderer.render(report)
        let decoded = try #require(try JSONReportRenderer.decode(Data(json.utf8)).fleet)
        #expect(decoded.ended == 6 && decoded.clusters.first?.count == 6 && decoded.connections.count == 6)
        let text = TextReportRenderer.render(report)
        #expect(text.contains("Fleet (6 connections held 4000ms, a ping every 1000ms)"), "\(text)")
        #expect(text.contains("new upgrades right after an end: 6 of 6 opened"))
    }

    @Test func theSameFleetUnderALifetimeCapIsTheCapNotAReload() async throws {
        let report = try await fleetRun(6, hold: .seconds(4), fault: "lifetime-cap:after=1200ms")
        let fleet = try #require(report.fleet)
        let timeline = fleet.connections.map {
            "#\($0.index) \($0.signature) connect \($0.connectedAtMs ?? -1) open \($0.openedAtMs ?? -1) end \($0.endedAtMs ?? -1)"
        }
        #expect(fleet.ended == 6, "\(timeline)")
        #expect(
            report.verdict.cause == .lifetimeCap, "\(report.verdict.summary)\n\(report.verdict.evidence.map(\.observation))\n\(timeline)")
    }

    @Test func maxTimeEndsAHeldFleetPromptlyAndItsConnectionsAreMarkedCut() async throws {
        let started = ContinuousClock.now
        // The plain profile keeps the main attempt short, so the stop comes during the fleet even on a busy
        // machine (the reference profile's agent run took over 3 s there); the 15 s bound is what is checked.
        let report = try await fleetRun(4, hold: .seconds(60), fault: nil, maxTime: .seconds(15), profile: .plain)
        let elapsed = ContinuousClock.now - started
        #expect(elapsed < .seconds(40), "the 60 s hold is bounded by --max-time 15s: \(elapsed)")
        #expect(report.interruption?.during == "fleet")
        let fleet = try #require(report.fleet)
        #expect(fleet.connections.count == 4)
        #expect(fleet.connections.allSatisfy { $0.outcome == .cut }, "\(fleet.connections.map(\.outcome))")
        #expect(fleet.ended == 0 && fleet.clusters.isEmpty, "ends we caused are not events")
        #expect(report.verdict.cause != .reloadDrain)
    }

    @Test func oneDeadInstanceOfThreeIsOneBadInstanceNotTheWholePath() async throws {
        // The main attempt goes to instance 0; the fleet's opens go round-robin, one in three to the dead one (502).
        let report = try await fleetRun(6, hold: .seconds(3), fault: nil, deadInstance: true)
        let fleet = try #require(report.fleet)
        #expect(
            fleet.connections.filter { $0.outcome == .notOpened }.map(\.signature) == ["HTTP 502", "HTTP 502"],
            "\(fleet.connections.map(\.signature))")
        #expect(fleet.connections.filter { $0.outcome == .held }.count == 4)
        #expect(report.verdict.cause == .badInstance, "\(report.verdict.summary)\n\(report.verdict.evidence.map(\.observation))")
        #expect(report.verdict.evidence.contains { $0.observation.contains("2 of 6 connections (33 %) failed the same way: HTTP 502") })
        // The proxy names the instance on its 101s and on its own 502s (X-Served-By): the verdict names the dead one.
        let refused = fleet.connections.filter { $0.outcome == .notOpened }
        #expect(refused.allSatisfy { $0.instance == "instance-1" }, "\(fleet.connections.map(\.instance))")
        #expect(Set(fleet.connections.filter { $0.outcome == .held }.compactMap(\.instance)) == ["instance-0", "instance-2"])
        #expect(fleet.instances?.map(\.name) == ["instance-0", "instance-1", "instance-2"])
        #expect(fleet.instances?.first { $0.name == "instance-1" }?.failure == "HTTP 502")
        #expect(report.verdict.summary.contains("instance-1"), "\(report.verdict.summary)")
        #expect(
            report.verdict.evidence.contains {
                $0.observation == "all 2 failures came from instance-1; instance-0 and instance-2 held 4 of 4"
            },
            "\(report.verdict.evidence.map(\.observation))")
    }
}
