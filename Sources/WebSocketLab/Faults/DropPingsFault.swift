import WebSocketWire

/// `drop-pings`: drops ping frames — the pinging side never gets a pong.
public struct DropPingsFault: FrameFault {
    public static let descriptor = FaultDescriptor(name: "drop-pings", summary: "drop ping frames")

    public init(spec: FaultSpec) throws(FaultSpecError) {
        try Self.validate(spec)
    }

    public func frame(_ frame: inout FrameEdit, direction: FaultDirection) -> FrameVerdict {
        frame.header.opcode == .ping ? .drop : .forward
    }
}
