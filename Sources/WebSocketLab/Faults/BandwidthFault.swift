import NIOCore

/// `bandwidth`: limits one direction to `rate` bytes per second. A congested or throttled link.
public struct BandwidthFault: StreamFault {
    public static let descriptor = FaultDescriptor(
        name: "bandwidth", summary: "limit throughput to a number of bytes per second",
        parameters: [.init("rate", "bytes per second, ≥ 1; required")])

    /// Bytes per second.
    public var rate: Int

    public init(spec: FaultSpec) throws(FaultSpecError) {
        try Self.validate(spec)
        rate = try spec.int("rate", in: 1...Int(Int32.max))
    }

    public func makeStage(random: FaultRandom) -> any StreamStage { Stage(rate: rate) }

    final class Stage: StreamStage {
        let rate: Int
        var busyUntil = NIODeadline.uptimeNanoseconds(0)
        init(rate: Int) { self.rate = rate }
        func process(_ bytes: ByteBuffer, ready: NIODeadline) -> [StreamChunk] {
            // Release in pieces of about 50 ms worth, each when the link would have carried it.
            let piece = max(rate / 20, 1)
            var input = bytes
            var out: [StreamChunk] = []
            var start = max(ready, busyUntil)
            while input.readableBytes > 0, let slice = input.readSlice(length: min(piece, input.readableBytes)) {
                let end = start + .nanoseconds(Int64(Double(slice.readableBytes) / Double(rate) * 1e9))
                out.append(.bytes(slice, at: end))
                start = end
            }
            busyUntil = start
            return out
        }
        func finish(ready: NIODeadline) -> NIODeadline { max(ready, busyUntil) }
    }
}
