/// A WebSocket frame opcode (RFC 6455 §5.2): four bits, six of them defined.
///
/// The one naming of opcodes in the package: transcripts, logs and metric labels use ``name``
/// (`text`, `binary`, `continuation`, `close`, `ping`, `pong`, and `reserved-0xN` for the ten
/// reserved values).
public struct FrameOpcode: RawRepresentable, Sendable, Hashable, ExpressibleByIntegerLiteral, CustomStringConvertible {
    /// The four bits, 0x0–0xF.
    public let rawValue: UInt8

    /// The opcode in the low four bits of `rawValue` (the high bits are dropped: an opcode is four bits on the wire).
    public init(rawValue: UInt8) { self.rawValue = rawValue & 0x0F }

    /// An opcode written as a number (`0xB`), for tests and hostile peers that need a reserved one.
    public init(integerLiteral value: UInt8) { self.init(rawValue: value) }

    /// Continuation frame. Corresponds to opcode 0x0.
    public static let continuation = FrameOpcode(rawValue: 0x0)
    /// Text frame (UTF-8 payload). Corresponds to opcode 0x1.
    public static let text = FrameOpcode(rawValue: 0x1)
    /// Binary frame. Corresponds to opcode 0x2.
    public static let binary = FrameOpcode(rawValue: 0x2)
    /// Close frame (§5.5.1). Corresponds to opcode 0x8.
    public static let close = FrameOpcode(rawValue: 0x8)
    /// Ping frame (§5.5.2). Corresponds to opcode 0x9.
    public static let ping = FrameOpcode(rawValue: 0x9)
    /// Pong frame (§5.5.3). Corresponds to opcode 0xA.
    public static let pong = FrameOpcode(rawValue: 0xA)

    /// Close, ping, pong and the reserved 0xB–0xF: the high opcode bit is set (§5.5).
    public var isControl: Bool { rawValue & 0x8 != 0 }
    /// Text, binary, continuation and the reserved 0x3–0x7.
    public var isData: Bool { !isControl }
    /// 0x3–0x7 (further non-control frames) and 0xB–0xF (further control frames): reserved by §5.2.
    public var isReserved: Bool { (0x3...0x7).contains(rawValue) || rawValue >= 0xB }

    /// `text`, `binary`, `continuation`, `close`, `ping`, `pong`, or `reserved-0xN` (N in uppercase hex).
    public var name: String {
        switch rawValue {
        case 0x0: "continuation"
        case 0x1: "text"
        case 0x2: "binary"
        case 0x8: "close"
        case 0x9: "ping"
        case 0xA: "pong"
        default: "reserved-0x" + String(rawValue, radix: 16, uppercase: true)
        }
    }

    public var description: String { name }
}
