import NIOCore
import WebSocketWire

/// One WebSocket frame (RFC 6455 §5.2), as parsed from or written to the wire.
///
/// The header, opcode and masking rules are ``WebSocketWire``'s (``FrameHeader``, ``FrameOpcode``,
/// ``MaskingKey``); this type adds the payload and writes straight into a `ByteBuffer`.
public struct WebSocketFrame: Sendable, Equatable {
    /// Final fragment of a message.
    public var fin: Bool
    /// RSV1–3 as a 3-bit number.
    public var rsv: UInt8
    /// The opcode.
    public var opcode: FrameOpcode
    /// Whether the frame carried a masking key.
    public var masked: Bool
    /// The (unmasked) payload.
    public var payload: [UInt8]

    /// A frame with the given fields.
    public init(fin: Bool = true, rsv: UInt8 = 0, opcode: FrameOpcode, masked: Bool = false, payload: [UInt8] = []) {
        self.fin = fin
        self.rsv = rsv
        self.opcode = opcode
        self.masked = masked
        self.payload = payload
    }

    /// `true` for close, ping and pong (opcodes 0x8–0xF). §5.5
    public var isControl: Bool { opcode.isControl }

    /// The frame's bytes on the wire. Client frames must be masked (§5.3): pass a `maskKey`.
    public func encoded(maskKey: MaskingKey?) -> [UInt8] {
        var buffer = ByteBufferAllocator().buffer(capacity: payload.count + FrameHeader.maxEncodedLength)
        payload.withUnsafeBytes { bytes in
            Self.encode(fin: fin, rsv: rsv, opcode: opcode, payload: bytes, maskKey: maskKey, into: &buffer)
        }
        return buffer.readBytes(length: buffer.readableBytes) ?? []
    }

    /// Writes one frame straight into `buffer`: the header, then the payload, masked with `maskKey`
    /// when one is given (§5.3). The payload is copied once, into the buffer.
    public static func encode(
        fin: Bool = true, rsv: UInt8 = 0, opcode: FrameOpcode, payload source: UnsafeRawBufferPointer,
        maskKey: MaskingKey?, into buffer: inout ByteBuffer
    ) {
        let n = source.count
        let header = FrameHeader(fin: fin, rsv: rsv, opcode: opcode, maskKey: maskKey, payloadLength: UInt64(n))
        buffer.reserveCapacity(minimumWritableBytes: n + FrameHeader.maxEncodedLength)
        buffer.writeWithUnsafeMutableBytes(minimumWritableBytes: FrameHeader.maxEncodedLength) { header.write(into: $0) }
        guard let maskKey else {
            buffer.writeBytes(source)
            return
        }
        guard n > 0 else { return }
        buffer.writeWithUnsafeMutableBytes(minimumWritableBytes: n) { target in
            maskKey.apply(source, into: target)
            return n
        }
    }
}
