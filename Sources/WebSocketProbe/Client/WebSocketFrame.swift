import NIOCore

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
        var buffer = ByteBufferAllocator().buffer(capacity: payload.count + 14)
        payload.withUnsafeBytes { bytes in
            Self.encode(fin: fin, rsv: rsv, opcode: opcode, payload: bytes, maskKey: maskKey, into: &buffer)
        }
        return buffer.readBytes(length: buffer.readableBytes) ?? []
    }

    /// Writes one frame straight into `buffer`: the header, then the payload, masked with `maskKey`
    /// when one is given (§5.3), eight bytes at a time. The payload is copied once, into the buffer.
    public static func encode(
        fin: Bool = true, rsv: UInt8 = 0, opcode: UInt8, payload source: UnsafeRawBufferPointer,
        maskKey: (UInt8, UInt8, UInt8, UInt8)?, into buffer: inout ByteBuffer
    ) {
        let n = source.count
        buffer.reserveCapacity(minimumWritableBytes: n + 14)
        buffer.writeInteger((fin ? 0x80 : 0) | ((rsv & 0x7) << 4) | (opcode & 0x0F), as: UInt8.self)
        let maskBit: UInt8 = maskKey == nil ? 0 : 0x80
        if n < 126 {
            buffer.writeInteger(maskBit | UInt8(n), as: UInt8.self)
        } else if n <= 0xFFFF {
            buffer.writeInteger(maskBit | 126, as: UInt8.self)
            buffer.writeInteger(UInt16(n), endianness: .big, as: UInt16.self)
        } else {
            buffer.writeInteger(maskBit | 127, as: UInt8.self)
            buffer.writeInteger(UInt64(n), endianness: .big, as: UInt64.self)
        }
        guard let k = maskKey else {
            buffer.writeBytes(source)
            return
        }
        buffer.writeMultipleIntegers(k.0, k.1, k.2, k.3)
        guard n > 0 else { return }
        buffer.writeWithUnsafeMutableBytes(minimumWritableBytes: n) { target in
            Self.mask(source, into: target, key: k)
            return n
        }
    }

    /// XORs `source` with the 4-byte `key` into `target` (at least as long), a 64-bit word at a time.
    /// Masking and unmasking are the same operation (§5.3); `source` and `target` may be the same memory.
    public static func mask(_ source: UnsafeRawBufferPointer, into target: UnsafeMutableRawBufferPointer, key k: (UInt8, UInt8, UInt8, UInt8)) {
        let n = source.count
        guard n > 0, let src = source.baseAddress, let dst = target.baseAddress else { return }
        // The key as it lies in memory, repeated twice: byte i of the word masks byte i of the chunk.
        let key32 = UInt32(k.0) | UInt32(k.1) << 8 | UInt32(k.2) << 16 | UInt32(k.3) << 24
        let word = UInt64(UInt32(littleEndian: key32)) | UInt64(UInt32(littleEndian: key32)) << 32
        var i = 0
        while i + 8 <= n {
            let v = src.loadUnaligned(fromByteOffset: i, as: UInt64.self)
            dst.storeBytes(of: v ^ word, toByteOffset: i, as: UInt64.self)
            i += 8
        }
        let keyBytes = [k.0, k.1, k.2, k.3]
        while i < n {
            dst.storeBytes(of: src.load(fromByteOffset: i, as: UInt8.self) ^ keyBytes[i & 3], toByteOffset: i, as: UInt8.self)
            i += 1
        }
    }

    /// A random masking key (§5.3: unpredictable per frame).
    public static func randomMaskKey() -> (UInt8, UInt8, UInt8, UInt8) {
        let v = UInt32.random(in: .min ... .max)
        return (UInt8(v >> 24), UInt8((v >> 16) & 0xFF), UInt8((v >> 8) & 0xFF), UInt8(v & 0xFF))
    }
}
