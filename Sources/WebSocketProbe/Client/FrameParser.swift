import NIOCore
import WebSocketDiagnosis

/// Sans-I/O parser of server-to-client frames (RFC 6455 §5.2): bytes in, frames or one violation out.
///
/// After a violation the parser stops: the connection must be failed (§7.1.7).
public struct FrameParser: Sendable {
    /// What the parser produced.
    public enum Event: Sendable, Equatable {
        case frame(WebSocketFrame)
        case violation(FrameViolation)
    }

    /// The largest payload accepted.
    public var maxFrameBytes: Int
    /// RSV bits that a negotiated extension allows (0x4 = RSV1 for permessage-deflate).
    public var allowedRSV: UInt8
    /// `true` once a violation was reported.
    public private(set) var failed = false

    /// Unparsed bytes (the reader index is the start of the next frame).
    private var buffer = ByteBuffer()

    /// A parser accepting payloads up to `maxFrameBytes` (default 16 MiB) and the RSV bits in `allowedRSV` (default none).
    public init(maxFrameBytes: Int = 16 << 20, allowedRSV: UInt8 = 0) {
        self.maxFrameBytes = maxFrameBytes
        self.allowedRSV = allowedRSV
    }

    /// Bytes buffered and not yet parsed.
    public var bufferedBytes: Int { buffer.readableBytes }

    /// Adds bytes from the wire.
    public mutating func append<S: Sequence>(_ bytes: S) where S.Element == UInt8 {
        guard !failed else { return }
        compact()
        buffer.writeBytes(bytes)
    }

    /// Adds bytes from the wire without copying them when nothing is buffered (the usual case).
    public mutating func append(buffer incoming: ByteBuffer) {
        guard !failed else { return }
        if buffer.readableBytes == 0 {
            buffer = incoming
        } else {
            compact()
            var incoming = incoming
            buffer.writeBuffer(&incoming)
        }
    }

    /// Drops parsed bytes once they are at least half of the storage, so that memory stays bounded.
    private mutating func compact() {
        if buffer.readerIndex > 0 && buffer.readerIndex >= buffer.writerIndex / 2 {
            buffer.discardReadBytes()
        }
    }

    /// The next complete frame, a violation, or `nil` when more bytes are needed.
    public mutating func next() -> Event? {
        guard !failed else { return nil }
        let available = buffer.readableBytes
        guard available >= 2, let b0 = buffer.getInteger(at: buffer.readerIndex, as: UInt8.self),
            let b1 = buffer.getInteger(at: buffer.readerIndex + 1, as: UInt8.self)
        else { return nil }
        let fin = b0 & 0x80 != 0
        let rsv = (b0 >> 4) & 0x7
        let opcode = b0 & 0x0F
        let masked = b1 & 0x80 != 0
        let len7 = b1 & 0x7F
        var headerBytes = 2
        var length = UInt64(len7)
        if len7 == 126 {
            headerBytes = 4
            guard available >= headerBytes else { return nil }
            guard let v = buffer.getInteger(at: buffer.readerIndex + 2, endianness: .big, as: UInt16.self) else { return nil }
            length = UInt64(v)
        } else if len7 == 127 {
            headerBytes = 10
            guard available >= headerBytes else { return nil }
            guard let v = buffer.getInteger(at: buffer.readerIndex + 2, endianness: .big, as: UInt64.self) else { return nil }
            length = v
        }
        if masked { headerBytes += 4 }
        guard available >= headerBytes else { return nil }
        let header = FrameHeader(fin: fin, rsv: rsv, opcode: opcode, masked: masked, length: length, headerBytes: headerBytes)
        let isControl = opcode & 0x8 != 0

        // §5.2: opcodes 0x3–0x7 and 0xB–0xF are reserved.
        if (0x3...0x7).contains(opcode) || opcode >= 0xB {
            return fail(.reservedOpcode, "reserved opcode 0x\(String(opcode, radix: 16, uppercase: true))", 1002, header)
        }
        // §5.2: RSV bits must be 0 unless an extension defines them.
        if rsv & ~allowedRSV != 0 || (isControl && rsv != 0) {
            return fail(.reservedBits, "RSV bits \(rsv) set on a \(WebSocketFrame.name(of: opcode)) frame without a negotiated extension", 1002, header)
        }
        // §5.1: a server must not mask frames it sends.
        if masked {
            return fail(.maskedServerFrame, "the server masked a \(WebSocketFrame.name(of: opcode)) frame", 1002, header)
        }
        // §5.5: control frames are at most 125 bytes and not fragmented.
        if isControl && length > 125 {
            return fail(.oversizedControlFrame, "\(WebSocketFrame.name(of: opcode)) frame with \(length) bytes of payload (at most 125 allowed)", 1002, header)
        }
        if isControl && !fin {
            return fail(.fragmentedControlFrame, "\(WebSocketFrame.name(of: opcode)) frame without FIN", 1002, header)
        }
        // §5.2: the most significant bit of a 64-bit length must be 0.
        if length & (1 << 63) != 0 {
            return fail(.oversizedFrame, "frame length \(length) has its most significant bit set (2^63 or more)", 1002, header)
        }
        if length > UInt64(max(0, maxFrameBytes)) {
            return fail(.oversizedFrame, "frame declares \(length) bytes of payload, more than the \(maxFrameBytes)-byte limit", 1009, header)
        }
        let total = headerBytes + Int(length)
        guard available >= total else { return nil }
        buffer.moveReaderIndex(forwardBy: headerBytes)
        let payload = buffer.readBytes(length: Int(length)) ?? []
        if buffer.readableBytes == 0 {
            // Nothing left: drop the storage (the next read usually brings its own buffer).
            buffer = ByteBuffer()
        }
        return .frame(WebSocketFrame(fin: fin, rsv: rsv, opcode: opcode, masked: masked, payload: payload))
    }

    private mutating func fail(_ code: FindingCode, _ detail: String, _ closeCode: Int, _ header: FrameHeader) -> Event {
        failed = true
        buffer = ByteBuffer()
        return .violation(FrameViolation(code: code, detail: detail, closeCode: closeCode, header: header))
    }
}
