import NIOCore

/// `limit-data`: forwards at most `bytes` bytes in its direction, then closes both sides (TCP, no
/// close frame) — a proxy with a transfer cap, or a connection killed mid-stream.
public struct LimitDataFault: StreamFault {
    public static let descriptor = FaultDescriptor(
        name: "limit-data", summary: "close the connection after a number of bytes",
        parameters: [.init("bytes", "bytes forwarded before the close; required")])

    /// Bytes forwarded before the close.
    public var bytes: Int

    public init(spec: FaultSpec) throws(FaultSpecError) {
        try Self.validate(spec)
        bytes = try spec.int("bytes", in: 0...Int(Int32.max))
    }

    public func makeStage(random: FaultRandom) -> any StreamStage { Stage(limit: bytes) }

    final class Stage: StreamStage {
        var left: Int
        var done = false
        init(limit: Int) { left = limit }
        func process(_ bytes: ByteBuffer, ready: NIODeadline) -> [StreamChunk] {
            guard !done else { return [] }
            if bytes.readableBytes < left {
                left -= bytes.readableBytes
                return [.bytes(bytes, at: ready)]
            }
            done = true
            var out: [StreamChunk] = []
            if left > 0, let head = bytes.getSlice(at: bytes.readerIndex, length: left) { out.append(.bytes(head, at: ready)) }
            left = 0
            out.append(.closeConnection(at: ready))
            return out
        }
    }
}
