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

    /// Creates a wrapper.
    public init(name: String, spec: FaultSpec, direction: FaultDirection, probability: Double = 1, fault: any Fault) {
        self.name = name
        self.spec = spec
        self.direction = direction
        self.probability = probability
        self.fault = fault
    }

    /// Rolls the probability.
    public func roll() -> Bool {
        probability >= 1 || (probability > 0 && Double.random(in: 0..<1) < probability)
    }

    public var description: String { spec.description }
}
