import NIOCore
import WebSocketDiagnosis

/// `latency`: delays every chunk by `delay` ± `jitter` (order kept). A slow path or a far region.
public struct LatencyFault: StreamFault {
    public static let descriptor = FaultDescriptor(
        name: "latency", summary: "delay the byte stream by a fixed time plus random jitter",
        parameters: [.init("delay", "added delay per chunk; default 100ms"), .init("jitter", "± random spread; default 0ms")])

    /// The fixed delay.
    public var delay: Duration
    /// The random spread around it.
    public var jitter: Duration

    public init(spec: FaultSpec) throws(FaultSpecError) {
        try Self.validate(spec)
        delay = try spec.duration("delay", default: .milliseconds(100))
        jitter = try spec.duration("jitter", default: .zero)
    }

    public func makeStage(random: FaultRandom) -> any StreamStage { Stage(delay: delay, jitter: jitter, random: random) }

    final class Stage: StreamStage {
        let delay: Duration
        let jitter: Duration
        var random: FaultRandom
        var last = NIODeadline.uptimeNanoseconds(0)
        init(delay: Duration, jitter: Duration, random: FaultRandom) {
            self.delay = delay
            self.jitter = jitter
            self.random = random
        }
        func process(_ bytes: ByteBuffer, ready: NIODeadline) -> [StreamChunk] {
            var nanos = Int64(delay.milliseconds * 1e6)
            let spread = Int64(jitter.milliseconds * 1e6)
            if spread > 0 { nanos += Int64.random(in: -spread...spread, using: &random) }
            let at = max(ready + .nanoseconds(max(nanos, 0)), last)
            last = at
            return [.bytes(bytes, at: at)]
        }
        func finish(ready: NIODeadline) -> NIODeadline { max(ready, last) }
    }
}
