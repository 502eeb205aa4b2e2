/// The shared wrapper around a fault: name, direction, probability and the spec it came from.
public struct ConfiguredFault: Sendable, CustomStringConvertible {
    /// The name the fault is listed and removed under: the fault's name, or the preset's.
    public var name: String
    /// The spec as given (for listing).
    public var spec: FaultSpec
    /// Which way the fault acts.
    public var direction: FaultDirection
    /// Chance in 0…1 that the fault applies: per connection for handshake, stream and timer
    /// behaviour, per frame (per message for `drop-messages`) for frame behaviour.
    public var probability: Double
    /// The fault itself.
    public var fault: any Fault
    /// The source `probability` is rolled with and stream stages draw from; default the system generator.
    public var random: FaultRandom

    /// Creates a wrapper.
    /// - Parameters:
    ///   - probability: default 1 (always).
    ///   - random: default ``FaultRandom/system``; a seeded source makes the rolls repeatable.
    public init(
        name: String, spec: FaultSpec, direction: FaultDirection, probability: Double = 1, fault: any Fault,
        random: FaultRandom = .system
    ) {
        self.name = name
        self.spec = spec
        self.direction = direction
        self.probability = probability
        self.fault = fault
        self.random = random
    }

    /// Rolls the probability with ``random``.
    public func roll() -> Bool {
        random.roll(probability)
    }

    public var description: String { spec.description }
}
