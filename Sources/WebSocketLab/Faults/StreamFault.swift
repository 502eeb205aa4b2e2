import NIOCore

/// A fault that shapes the byte stream of one direction after the 101 (or after a plain HTTP
/// request went upstream): delays, slices, throttles, swallows or cuts it.
public protocol StreamFault: Fault {
    /// A fresh stage for one connection and one direction.
    func makeStage() -> any StreamStage
}
