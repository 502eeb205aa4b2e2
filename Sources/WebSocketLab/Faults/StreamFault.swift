import NIOCore

/// A fault that shapes the byte stream of one direction after the 101 (or after a plain HTTP
/// request went upstream): delays, slices, throttles, swallows or cuts it.
public protocol StreamFault: Fault {
    /// A fresh stage for one connection and one direction; `random` is the source for any random spread
    /// (the wrapper's ``ConfiguredFault/random``: the system generator unless a seeded one was set).
    func makeStage(random: FaultRandom) -> any StreamStage
}
