import Synchronization

/// Carries one connection's upgrade decision from the upgrader (which decides) to the HTTP handler (which
/// writes a refusal) or to the WebSocket handler (which needs the claims).
final class UpgradeSlot: Sendable {
    private let decision = Mutex<UpgradeDecision?>(nil)

    func set(_ value: UpgradeDecision) { decision.withLock { $0 = value } }

    /// Returns the decision and empties the slot (each request decides afresh).
    func take() -> UpgradeDecision? {
        decision.withLock { d in
            defer { d = nil }; return d
        }
    }
}
