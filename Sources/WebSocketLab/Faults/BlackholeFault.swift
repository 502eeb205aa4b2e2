import NIOCore

/// `blackhole`: swallows everything in one direction while the connection stays open — a path
/// that went silent one way (the peer's keepalive is what eventually notices).
public struct BlackholeFault: StreamFault {
    public static let descriptor = FaultDescriptor(
        name: "blackhole", summary: "silently drop every byte in one direction (default downstream)",
        defaultDirection: .downstream)

    public init(spec: FaultSpec) throws(FaultSpecError) {
        try Self.validate(spec)
    }

    public func makeStage(random: FaultRandom) -> any StreamStage { Stage() }

    final class Stage: StreamStage {
        func process(_ bytes: ByteBuffer, ready: NIODeadline) -> [StreamChunk] { [] }
    }
}
