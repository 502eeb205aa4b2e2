/// A rule of RFC 6455 that a well-formed frame header breaks (see ``FrameHeader/violation(sentBy:allowedRSV:)``).
///
/// Every one of them fails the connection with ``CloseCode/protocolError`` (§7.1.7).
public enum FrameHeaderViolation: Sendable, Hashable {
    /// Opcode 0x3–0x7 or 0xB–0xF. §5.2
    case reservedOpcode
    /// An RSV bit no negotiated extension defines, or any RSV bit on a control frame. §5.2
    case reservedBits
    /// A server masked a frame. §5.1
    case maskedServerFrame
    /// A client sent a frame without a mask. §5.1
    case unmaskedClientFrame
    /// A control frame with more than 125 bytes of payload. §5.5
    case oversizedControlFrame
    /// A control frame without FIN. §5.5
    case fragmentedControlFrame
}
