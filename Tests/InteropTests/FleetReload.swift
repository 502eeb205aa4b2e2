import Foundation
import Synchronization
import Testing
import WebSocketDiagnosis
import WebSocketProbe
import WebSocketTestFramework

/// A front reloaded under a held fleet (nginx `-s reload`, HAProxy's master-worker reload): the shared check.
enum FleetReload {
    /// Holds 6 connections through `ws://127.0.0.1:port/` for 6 s and calls `reload` 2.2 s into the fleet (the opens
    /// are spread over its first 2 s). Expects one event: the 6 cut together with no close frame, about 1 s (the
    /// front's `grace`) after the reload was issued — measured from when it was issued, so a reload started late on
    /// a busy machine does not move the window — new upgrades served, and the verdict `reload-drain`.
    @discardableResult
    static func expectOneReloadEvent(
        port: Int, grace: String, log: @escaping @Sendable () -> String, reload: @escaping @Sendable () async throws -> Void,
        sourceLocation: SourceLocation = #_sourceLocation
    ) async throws -> DiagnosisReport {
        var plan = ProbePlan(target: try WebSocketURL(parsing: "ws://127.0.0.1:\(port)/"))
        plan.timeouts = Probe.timeouts
        plan.connections = 6
        plan.fleetHold = .seconds(6)
        plan.maxTime = .seconds(60)
        let reloadAfter = Duration.milliseconds(2200)
        let state = ReloadRecord()
        let sink: ProbeProgressSink = { progress in
            guard progress.activity == "fleet", state.startFleet() else { return }
            Task {
                try? await Task.sleep(for: reloadAfter)
                state.issue()
                do { try await reload() } catch { state.fail("\(error)") }
            }
        }
        let report = try await ProbeRunner(plan: plan, progress: sink).run()
        WireByteCounter.register(report)
        let (issuedAfter, error) = (state.issuedAfter, state.error)
        #expect(error == nil, "the reload failed: \(error ?? "")", sourceLocation: sourceLocation)
        let fleet = try #require(report.fleet, Probe.describe(report), sourceLocation: sourceLocation)
        #expect(fleet.opened == 6, sourceLocation: sourceLocation)
        #expect(fleet.ended == 6, "\(fleet.connections.map(\.signature))\n\(log())", sourceLocation: sourceLocation)
        let cluster = try #require(fleet.clusters.first, Probe.describe(report), sourceLocation: sourceLocation)
        #expect(cluster.count == 6 && cluster.signature == "bare end", "\(cluster)", sourceLocation: sourceLocation)
        let issued = try #require(issuedAfter, "the reload was never issued", sourceLocation: sourceLocation)
        let delay = cluster.fromMs - issued.milliseconds
        #expect(delay > 800 && delay < 3500, "cut \(delay) ms after the reload; \(grace)", sourceLocation: sourceLocation)
        #expect(
            fleet.connections.allSatisfy { $0.reopenStatus == 101 }, "the new worker serves new upgrades", sourceLocation: sourceLocation)
        #expect(report.verdict.cause == .reloadDrain, Probe.describe(report), sourceLocation: sourceLocation)
        #expect(
            report.verdict.evidence.contains { $0.observation.contains("6 of 6 open connections ended within") }, Probe.describe(report),
            sourceLocation: sourceLocation)
        return report
    }
}

/// When the fleet started, when the reload was issued (after the fleet's start) and how it failed, shared with the
/// progress sink.
final class ReloadRecord: Sendable {
    private let state = Mutex<(fleetStart: ContinuousClock.Instant?, issuedAfter: Duration?, error: String?)>((nil, nil, nil))
    /// Notes the fleet's start; true the first time only.
    func startFleet() -> Bool {
        state.withLock { s in
            guard s.fleetStart == nil else { return false }
            s.fleetStart = .now
            return true
        }
    }
    func issue() { state.withLock { s in s.issuedAfter = s.fleetStart.map { .now - $0 } } }
    func fail(_ error: String) { state.withLock { $0.error = error } }
    var issuedAfter: Duration? { state.withLock { $0.issuedAfter } }
    var error: String? { state.withLock { $0.error } }
}
