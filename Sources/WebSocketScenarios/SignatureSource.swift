/// Which transcript of a probe run a signature is read from.
public enum SignatureSource: String, Codable, Sendable, CaseIterable {
    /// The attempt through the front (or the only one).
    case main
    /// The direct attempt (`probe.direct`).
    case direct
    /// The silent connection of the idle probe.
    case idle
    /// The connection with pings of the lifetime probe.
    case lifetime
}
