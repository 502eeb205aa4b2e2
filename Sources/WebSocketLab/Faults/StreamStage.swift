import NIOCore

/// One fault's state for one direction of one connection: bytes in, timed bytes out.
///
/// Stages are chained in the order faults were added. Times out must not be earlier than times
/// in, and must not go backwards (order on the wire is kept).
public protocol StreamStage: AnyObject {
    /// Takes `bytes` that are ready at `ready`, returns what to write and when.
    func process(_ bytes: ByteBuffer, ready: NIODeadline) -> [StreamChunk]
    /// The source ended at `ready`; returns when the end may be passed on (default: at once).
    func finish(ready: NIODeadline) -> NIODeadline
}

extension StreamStage {
    /// Default: the end passes on at once.
    public func finish(ready: NIODeadline) -> NIODeadline { ready }
}
