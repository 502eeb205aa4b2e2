/// Connections of a fleet that ended within one short window (FAILURE_SIGNATURES rule 8).
public struct FleetCluster: Codable, Sendable, Equatable {
    /// The first and the last end in the window (ms since the fleet started).
    public var fromMs: Double
    public var toMs: Double
    /// How many connections ended in the window.
    public var count: Int
    /// The most common way they ended (``FleetConnection/signature``), and how many ended that way.
    public var signature: FleetEndSignature
    public var signatureCount: Int
    /// The youngest and the oldest connection's age when it ended: different ages at the same instant are
    /// one event; the same age is a cap.
    public var youngestAgeMs: Double
    public var oldestAgeMs: Double

    public init(
        fromMs: Double, toMs: Double, count: Int, signature: FleetEndSignature, signatureCount: Int, youngestAgeMs: Double,
        oldestAgeMs: Double
    ) {
        self.fromMs = fromMs
        self.toMs = toMs
        self.count = count
        self.signature = signature
        self.signatureCount = signatureCount
        self.youngestAgeMs = youngestAgeMs
        self.oldestAgeMs = oldestAgeMs
    }

    /// How far apart the ends are.
    public var endSpreadMs: Double { toMs - fromMs }
    /// How far apart the ages are.
    public var ageSpreadMs: Double { oldestAgeMs - youngestAgeMs }
}
