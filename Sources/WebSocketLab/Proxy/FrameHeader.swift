/// The header of one WebSocket frame as it appears on the wire (RFC 6455 §5.2).
///
/// A plain value: the proxy reads it from the byte stream, a fault may change it, and
/// `encode()` writes it back in the shortest length form.
public struct FrameHeader: Sendable, Equatable {
    /// FIN: the last frame of a message.
    public var fin: Bool
    /// The three reserved bits as the low bits of a nibble: RSV1 = 4, RSV2 = 2, RSV3 = 1.
    public var rsv: UInt8
    /// The 4-bit opcode.
    public var opcode: UInt8
    /// The masking key, present on client-to-server frames (RFC 6455 §5.3).
    public var maskKey: (UInt8, UInt8, UInt8, UInt8)?
    /// The payload length.
    public var payloadLength: UInt64

    /// Creates a header.
    public init(fin: Bool = true, rsv: UInt8 = 0, opcode: UInt8, maskKey: (UInt8, UInt8, UInt8, UInt8)? = nil, payloadLength: UInt64) {
        self.fin = fin
        self.rsv = rsv & 0x7
        self.opcode = opcode & 0xF
        self.maskKey = maskKey
        self.payloadLength = payloadLength
    }

    public static func == (lhs: FrameHeader, rhs: FrameHeader) -> Bool {
        lhs.fin == rhs.fin && lhs.rsv == rhs.rsv && lhs.opcode == rhs.opcode && lhs.payloadLength == rhs.payloadLength
            && lhs.maskKey.map { [$0.0, $0.1, $0.2, $0.3] } == rhs.maskKey.map { [$0.0, $0.1, $0.2, $0.3] }
    }

    // MARK: - Opcodes (RFC 6455 §5.2)

    /// Continuation frame. Corresponds to opcode 0x0.
    public static let continuation: UInt8 = 0x0
    /// Text frame. Corresponds to opcode 0x1.
    public static let text: UInt8 = 0x1
    /// Binary frame. Corresponds to opcode 0x2.
    public static let binary: UInt8 = 0x2
    /// Close frame. Corresponds to opcode 0x8.
    public static let close: UInt8 = 0x8
    /// Ping frame. Corresponds to opcode 0x9.
    public static let ping: UInt8 = 0x9
    /// Pong frame. Corresponds to opcode 0xA.
    public static let pong: UInt8 = 0xA

    /// Control frames have the high opcode bit set (RFC 6455 §5.5).
    public var isControl: Bool { opcode & 0x8 != 0 }
    /// Text, binary or continuation.
    public var isData: Bool { !isControl }
    /// Whether the frame is masked.
    public var isMasked: Bool { maskKey != nil }

    /// A stable label for metrics: `text`, `binary`, `continuation`, `close`, `ping`, `pong`, `reserved`.
    public var opcodeName: String {
        switch opcode {
        case Self.continuation: "continuation"
        case Self.text: "text"
        case Self.binary: "binary"
        case Self.close: "close"
        case Self.ping: "ping"
        case Self.pong: "pong"
        default: "reserved"
        }
    }

    /// Bytes the encoded header takes.
    public var encodedLength: Int {
        let lengthBytes = payloadLength < 126 ? 0 : (payloadLength <= 0xFFFF ? 2 : 8)
        return 2 + lengthBytes + (maskKey == nil ? 0 : 4)
    }

    /// The header bytes, with the shortest length form.
    public func encode() -> [UInt8] {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(encodedLength)
        bytes.append((fin ? 0x80 : 0) | (rsv & 0x7) << 4 | (opcode & 0xF))
        let maskBit: UInt8 = maskKey == nil ? 0 : 0x80
        if payloadLength < 126 {
            bytes.append(maskBit | UInt8(payloadLength))
        } else if payloadLength <= 0xFFFF {
            bytes.append(maskBit | 126)
            bytes.append(UInt8(payloadLength >> 8))
            bytes.append(UInt8(payloadLength & 0xFF))
        } else {
            bytes.append(maskBit | 127)
            for shift in stride(from: 56, through: 0, by: -8) { bytes.append(UInt8((payloadLength >> UInt64(shift)) & 0xFF)) }
        }
        if let k = maskKey { bytes += [k.0, k.1, k.2, k.3] }
        return bytes
    }

    /// Applies (or removes: XOR is its own inverse) this header's mask to `payload`, starting at payload offset `offset`.
    public func applyMask(to payload: inout [UInt8], offset: Int = 0) {
        guard let k = maskKey else { return }
        let key = [k.0, k.1, k.2, k.3]
        for i in payload.indices { payload[i] ^= key[(offset + i - payload.startIndex) & 3] }
    }

    /// A complete frame: this header (length set from `payload`) and `payload` given unmasked (masked here when the header has a key).
    public static func frameBytes(fin: Bool = true, opcode: UInt8, payload: [UInt8], maskKey: (UInt8, UInt8, UInt8, UInt8)?) -> [UInt8] {
        let header = FrameHeader(fin: fin, opcode: opcode, maskKey: maskKey, payloadLength: UInt64(payload.count))
        var body = payload
        header.applyMask(to: &body)
        return header.encode() + body
    }

    /// The payload of a close frame: code (big-endian) then UTF-8 reason, cut to fit 125 bytes.
    public static func closePayload(code: Int, reason: String) -> [UInt8] {
        var bytes: [UInt8] = [UInt8((code >> 8) & 0xFF), UInt8(code & 0xFF)]
        bytes += Array(reason.utf8.prefix(123))
        return bytes
    }

    /// The code in a close payload, or nil for an empty (or one-byte, invalid) body.
    public static func closeCode(in payload: [UInt8]) -> Int? {
        guard payload.count >= 2 else { return nil }
        return Int(payload[payload.startIndex]) << 8 | Int(payload[payload.startIndex + 1])
    }
}
