import Foundation
import NIOConcurrencyHelpers
import WebSocketDiagnosis

/// The one mechanism that ends a run early: `--max-time`, SIGINT or SIGTERM.
///
/// Every connection a run opens is registered here. ``stop(_:)`` records why the run ends (the first
/// reason wins) and aborts every registered connection, which ends every wait on it at once: a probe
/// holding a silent connection for 70 s returns as soon as the run is stopped, whatever the peer sends.
/// The runner then skips what is left and still returns a report, which says what was interrupted.
public final class RunStop: Sendable {
    /// Why a run ended early.
    public enum Reason: Sendable, Equatable {
        /// The `--max-time` bound on the whole run passed.
        case maxTime(Duration)
        /// A signal arrived (SIGINT, SIGTERM).
        case signal(Int32)

        /// How the report names it: `max-time`, `SIGINT`, `SIGTERM`, `signal N`.
        public var name: String {
            switch self {
            case .maxTime: "max-time"
            case .signal(SIGINT): "SIGINT"
            case .signal(SIGTERM): "SIGTERM"
            case .signal(let n): "signal \(n)"
            }
        }

        /// A phrase for step details and the summary: "--max-time 30s passed", "SIGINT (Ctrl-C)".
        public var phrase: String {
            switch self {
            case .maxTime(let d): "--max-time \(DurationText.format(d)) passed"
            case .signal(SIGINT): "interrupted by SIGINT (Ctrl-C)"
            case .signal(SIGTERM): "stopped by SIGTERM"
            case .signal(let n): "stopped by signal \(n)"
            }
        }
    }

    private struct State {
        var reason: Reason?
        var stoppedAt: ContinuousClock.Instant?
        var activity: String = "connect"
        var connections: [ObjectIdentifier: WebSocketConnection] = [:]
    }

    private let state = NIOLockedValueBox(State())

    /// A stop that has not fired.
    public init() {}

    /// Why the run was stopped, or `nil` while it runs.
    public var reason: Reason? { state.withLockedValue { $0.reason } }

    /// Whether the run was stopped.
    public var isStopped: Bool { reason != nil }

    /// What the run was doing when it was stopped (`ping`, `idle-probe`, `auth-channels`, …).
    public var activity: String { state.withLockedValue { $0.activity } }

    /// Records what the run is doing now, for the report of an interruption.
    public func enter(_ activity: String) {
        state.withLockedValue { if $0.reason == nil { $0.activity = activity } }
    }

    /// Stops the run for `reason` (the first call wins) and aborts every registered connection.
    public func stop(_ reason: Reason) {
        let connections: [WebSocketConnection]? = state.withLockedValue { s in
            guard s.reason == nil else { return nil }
            s.reason = reason
            s.stoppedAt = .now
            let all = Array(s.connections.values)
            s.connections = [:]
            return all
        }
        guard let connections else { return }
        for connection in connections { Task { await connection.abort() } }
    }

    /// Registers a connection to abort when the run stops; one registered after the stop is aborted at once.
    func register(_ connection: WebSocketConnection) {
        let stopped = state.withLockedValue { s -> Bool in
            if s.reason != nil { return true }
            s.connections[ObjectIdentifier(connection)] = connection
            return false
        }
        if stopped { Task { await connection.abort() } }
    }

    /// Forgets a connection that is done.
    func unregister(_ connection: WebSocketConnection) {
        state.withLockedValue { _ = $0.connections.removeValue(forKey: ObjectIdentifier(connection)) }
    }
}
