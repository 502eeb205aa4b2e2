import NIOCore

/// `slicer`: cuts the stream into small pieces with a pause between them, so frames arrive split
/// across many reads (tests a peer's reassembly and partial-frame handling).
public struct SlicerFault: StreamFault {
    public static let descriptor = FaultDescriptor(
        name: "slicer", summary: "split the stream into small pieces with a delay between them",
        parameters: [
            .init("size", "average piece size in bytes; default 16"), .init("variation", "± random size spread; default 0"),
            .init("delay", "pause between pieces; default 1ms"),
        ])

    /// Average piece size in bytes.
    public var size: Int
    /// Random spread of the piece size.
    public var variation: Int
    /// Pause between pieces.
    public var delay: Duration

    public init(spec: FaultSpec) throws(FaultSpecError) {
        try Self.validate(spec)
        size = try spec.int("size", default: 16, in: 1...1 << 20)
        variation = try spec.int("variation", default: 0, in: 0...1 << 20)
        delay = try spec.duration("delay", default: .milliseconds(1))
    }

    public func makeStage(random: FaultRandom) -> any StreamStage { Stage(fault: self, random: random) }

    final class Stage: StreamStage {
        let fault: SlicerFault
        var random: FaultRandom
        var last = NIODeadline.uptimeNanoseconds(0)
        init(fault: SlicerFault, random: FaultRandom) {
            self.fault = fault
            self.random = random
        }
        func process(_ bytes: ByteBuffer, ready: NIODeadline) -> [StreamChunk] {
            var input = bytes
            var out: [StreamChunk] = []
            var at = max(ready, last)
            while input.readableBytes > 0 {
                let spread = fault.variation > 0 ? Int.random(in: -fault.variation...fault.variation, using: &random) : 0
                let length = min(max(fault.size + spread, 1), input.readableBytes)
                guard let slice = input.readSlice(length: length) else { break }
                out.append(.bytes(slice, at: at))
                at = at + TimeAmount(fault.delay)
            }
            last = at
            return out
        }
        func finish(ready: NIODeadline) -> NIODeadline { max(ready, last) }
    }
}
