import WebSocketWire

/// `drop-messages`: drops data messages (all their fragments); with `probability` below 1 a share
/// of them — a lossy bridge, or events that never reach the client.
public struct DropMessagesFault: FrameFault {
    public static let descriptor = FaultDescriptor(name: "drop-messages", summary: "drop text and binary messages")

    public init(spec: FaultSpec) throws(FaultSpecError) {
        try Self.validate(spec)
    }

    public func frame(_ frame: inout FrameEdit, direction: FaultDirection) -> FrameVerdict {
        frame.header.isData && frame.header.opcode != .continuation ? .drop : .forward
    }
}
