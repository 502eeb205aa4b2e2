import Synchronization

/// The random source behind fault decisions: `probability=` rolls, `latency` jitter and `slicer` spread.
///
/// Production uses ``system`` (the system generator); a test or a library user who wants a repeatable run
/// passes ``seeded(_:)`` to ``FaultRegistry/random``. One source is shared by every connection of a proxy,
/// so it is a reference type behind a lock; as a `RandomNumberGenerator` it works with the standard library's
/// `random(in:using:)`.
public final class FaultRandom: RandomNumberGenerator, Sendable {
    private let generator: Mutex<any RandomNumberGenerator & Sendable>

    /// Wraps `generator`.
    public init(_ generator: some RandomNumberGenerator & Sendable) {
        self.generator = Mutex(generator)
    }

    /// The system generator (the default everywhere).
    public static let system = FaultRandom(SystemRandomNumberGenerator())

    /// A repeatable source: the same `seed` gives the same sequence of decisions.
    public static func seeded(_ seed: UInt64) -> FaultRandom {
        FaultRandom(SeededRandomNumberGenerator(seed: seed))
    }

    /// The next 64 random bits.
    public func next() -> UInt64 {
        generator.withLock { $0.next() }
    }

    /// Whether an event of chance `probability` (0…1) happens: always at 1 or above, never at 0 or below.
    public func roll(_ probability: Double) -> Bool {
        guard probability < 1 else { return true }
        guard probability > 0 else { return false }
        var source = self
        return Double.random(in: 0..<1, using: &source) < probability
    }
}
