import NIOCore

/// `slow-close`: when one side ends the connection, passes the end on to the other side only
/// `delay` later (a proxy slow to tear down; the peer's close wait runs out).
public struct SlowCloseFault: StreamFault {
    public static let descriptor = FaultDescriptor(
        name: "slow-close", summary: "delay passing on a TCP close by a fixed time",
        parameters: [.init("delay", "how long the close is held; default 1s")])

    /// How long the close is held.
    public var delay: Duration

    public init(spec: FaultSpec) throws(FaultSpecError) {
        try Self.validate(spec)
        delay = try spec.duration("delay", default: .seconds(1))
    }

    public func makeStage(random: FaultRandom) -> any StreamStage { Stage(delay: delay) }

    final class Stage: StreamStage {
        let delay: Duration
        init(delay: Duration) { self.delay = delay }
        func process(_ bytes: ByteBuffer, ready: NIODeadline) -> [StreamChunk] { [.bytes(bytes, at: ready)] }
        func finish(ready: NIODeadline) -> NIODeadline { ready + TimeAmount(delay) }
    }
}
