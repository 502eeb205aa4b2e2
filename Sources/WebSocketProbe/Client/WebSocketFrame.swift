/// One WebSocket frame (RFC 6455 §5.2), as parsed from or written to the wire.
public struct WebSocketFrame: Sendable, Equatable {
    /// Continuation frame. §5.2
    public static let continuation: UInt8 = 0x0
    /// Text frame.
    public static let text: UInt8 = 0x1
    /// Binary frame.
    public static let binary: UInt8 = 0x2
    /// Close frame. §5.5.1
    public static let close: UInt8 = 0x8
    /// Ping frame. §5.5.2
    public static let ping: UInt8 = 0x9
    /// Pong frame. §5.5.3
    public static let pong: UInt8 = 0xA

    /// Final fragment of a message.
    public var fin: Bool
    /// RSV1–3 as a 3-bit number.
    public var rsv: UInt8
    /// The 4-bit opcode.
    public var opcode: UInt8
    /// Whether the frame carried a masking key.
    public var masked: Bool
    /// The (unmasked) payload.
    public var payload: [UInt8]

    /// A frame with the given fields.
    public init(fin: Bool = true, rsv: UInt8 = 0, opcode: UInt8, masked: Bool = false, payload: [UInt8] = []) {
        self.fin = fin
        self.rsv = rsv
        self.opcode = opcode
        self.masked = masked
        self.payload = payload
    }

    /// `true` for close, ping and pong (opcodes 0x8–0xF). §5.5
    public var isControl: Bool { opcode & 0x8 != 0 }

    /// The name recorded in transcripts: `text`, `binary`, `continuation`, `ping`, `pong`, `close`, `reserved-0xN`.
    public static func name(of opcode: UInt8) -> String {
        switch opcode {
        case continuation: "continuation"
        case text: "text"
        case binary: "binary"
        case close: "close"
        case ping: "ping"
        case pong: "pong"
        default: "reserved-0x" + String(opcode, radix: 16, uppercase: true)
        }
    }

    /// The frame's bytes on the wire. Client frames must be masked (§5.3): pass a `maskKey`.
    public func encoded(maskKey: (UInt8, UInt8, UInt8, UInt8)?) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(payload.count + 14)
        out.append((fin ? 0x80 : 0) | ((rsv & 0x7) << 4) | (opcode & 0x0F))
        let maskBit: UInt8 = maskKey == nil ? 0 : 0x80
        let n = payload.count
        if n < 126 {
            out.append(maskBit | UInt8(n))
        } else if n <= 0xFFFF {
            out.append(maskBit | 126)
            out.append(UInt8(n >> 8))
            out.append(UInt8(n & 0xFF))
        } else {
            out.append(maskBit | 127)
            let v = UInt64(n)
            for shift in stride(from: 56, through: 0, by: -8) { out.append(UInt8((v >> UInt64(shift)) & 0xFF)) }
        }
        if let k = maskKey {
            let key = [k.0, k.1, k.2, k.3]
            out.append(contentsOf: key)
            for (i, b) in payload.enumerated() { out.append(b ^ key[i & 3]) }
        } else {
            out.append(contentsOf: payload)
        }
        return out
    }

    /// A random masking key (§5.3: unpredictable per frame).
    public static func randomMaskKey() -> (UInt8, UInt8, UInt8, UInt8) {
        let v = UInt32.random(in: .min ... .max)
        return (UInt8(v >> 24), UInt8((v >> 16) & 0xFF), UInt8((v >> 8) & 0xFF), UInt8(v & 0xFF))
    }
}
