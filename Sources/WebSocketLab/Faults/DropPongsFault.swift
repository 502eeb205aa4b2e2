import WebSocketWire

/// `drop-pongs`: drops pong frames — the keepalive on the other side gives up (a server closes
/// 1011 "keepalive ping timeout"; a client sends 1011 and hears nothing).
public struct DropPongsFault: FrameFault {
    public static let descriptor = FaultDescriptor(name: "drop-pongs", summary: "drop pong frames")

    public init(spec: FaultSpec) throws(FaultSpecError) {
        try Self.validate(spec)
    }

    public func frame(_ frame: inout FrameEdit, direction: FaultDirection) -> FrameVerdict {
        frame.header.opcode == .pong ? .drop : .forward
    }
}
