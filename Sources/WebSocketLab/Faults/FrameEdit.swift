import WebSocketWire

/// A frame offered to a `FrameFault`.
public struct FrameEdit: Sendable {
    /// The header; a fault may change fin, rsv and opcode (the length follows the payload for control frames).
    public var header: FrameHeader
    /// The unmasked payload of a control frame (≤ 125 bytes); nil for data frames.
    public var controlPayload: [UInt8]?

    /// Creates an edit.
    public init(header: FrameHeader, controlPayload: [UInt8]?) {
        self.header = header
        self.controlPayload = controlPayload
    }
}
