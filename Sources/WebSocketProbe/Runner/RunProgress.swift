import NIOConcurrencyHelpers
import WebSocketDiagnosis

/// What a run has finished so far, kept as it finishes, so that a stopped run can still report it.
final class RunProgress: Sendable {
    struct Done: Sendable {
        var redactor: Redactor?
        var front: ProbeRunner.Attempt?
        var direct: ProbeRunner.Attempt?
        var mainInterrupted = false
        var originCheck: OriginCheck?
        var http2: HTTP2Observation?
        var authChannels: [AuthChannelResult]?
        var measurements: Measurements?
        var fleet: FleetObservation?
    }

    private let box = NIOLockedValueBox(Done())

    /// Records a result.
    func update(_ body: (inout Done) -> Void) { box.withLockedValue(body) }

    /// Everything finished so far.
    var snapshot: Done { box.withLockedValue { $0 } }
}

/// The first of several results to arrive; later ones are ignored.
final class FirstResult<Value: Sendable>: Sendable {
    private struct State {
        var value: Value?
        var waiter: CheckedContinuation<Value, Never>?
    }

    private let state = NIOLockedValueBox(State())

    /// Offers a result; only the first is kept.
    func offer(_ value: Value) {
        let waiter: CheckedContinuation<Value, Never>? = state.withLockedValue { s in
            guard s.value == nil else { return nil }
            s.value = value
            defer { s.waiter = nil }
            return s.waiter
        }
        waiter?.resume(returning: value)
    }

    /// Waits for the first result.
    var value: Value {
        get async {
            await withCheckedContinuation { continuation in
                let ready: Value? = state.withLockedValue { s in
                    if let v = s.value { return v }
                    s.waiter = continuation
                    return nil
                }
                if let ready { continuation.resume(returning: ready) }
            }
        }
    }
}
