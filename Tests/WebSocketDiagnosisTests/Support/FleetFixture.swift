@testable import WebSocketDiagnosis

/// Fleets as the probe runner builds them: `n` connections opened `spacing` ms apart from 0, held to `holdMs`.
enum FleetFixture {
    /// A connection opened 50 ms after it started, at `index × spacing`.
    static func connection(_ index: Int, spacing: Double = 200) -> FleetConnection {
        FleetConnection(
            index: index, outcome: .held, startedAtMs: Double(index) * spacing, openedAtMs: Double(index) * spacing + 50,
            transportEnd: .localClose)
    }

    /// `c` ended at `at` with a close frame `code` (or a bare end when `code` is `nil`).
    static func ended(_ c: FleetConnection, at: Double, code: Int? = nil, reopen: Int? = nil, reopenFailure: String? = nil)
        -> FleetConnection
    {
        var c = c
        c.outcome = .ended
        c.endedAtMs = at
        c.transportEnd = code == nil ? .eof : .localClose
        c.closeReceived = code != nil
        c.closeCode = code
        c.reopenStatus = reopen
        c.reopenFailure = reopenFailure
        return c
    }

    /// `n` connections, every one ended at `at + index × jitter` the way `end` says.
    static func allEnded(
        _ n: Int, at: Double, jitter: Double = 3, code: Int? = nil, reopen: Int? = nil, reopenFailure: String? = nil, spacing: Double = 200
    ) -> FleetObservation {
        let connections = (0..<n).map {
            ended(connection($0, spacing: spacing), at: at + Double($0) * jitter, code: code, reopen: reopen, reopenFailure: reopenFailure)
        }
        return FleetObservation(requested: n, holdMs: 10_000, rampMs: Double(n) * spacing, pingIntervalMs: 1000, connections: connections)
    }

    /// An ingress-nginx style reload: 8 connections, every one cut at 4 s with no close frame, reconnecting fine.
    static let reload = allEnded(8, at: 4000, reopen: 101)
}
