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

    private var buffer: [UInt8] = []
    private var readIndex = 0

    /// A parser accepting payloads up to `maxFrameBytes` (default 16 MiB) and the RSV bits in `allowedRSV` (default none).
    public init(maxFrameBytes: Int = 16 << 20, allowedRSV: UInt8 = 0) {
        self.maxFrameBytes = maxFrameBytes
        self.allowedRSV = allowedRSV
    }

    /// Bytes buffered and not yet parsed.
    public var bufferedBytes: Int { buffer.count - readIndex }

    /// Adds bytes from the wire.
    public mutating func append<S: Sequence>(_ bytes: S) where S.Element == UInt8 {
        guard !failed else { return }
        if readIndex > 0 && readIndex >= buffer.count / 2 {
            buffer.removeFirst(readIndex)
            readIndex = 0
        }
        buffer.append(contentsOf: bytes)
    }

    /// The next complete frame, a violation, or `nil` when more bytes are needed.
    public mutating func next() -> Event? {
        guard !failed else { return nil }
        let available = buffer.count - readIndex
        guard available >= 2 else { return nil }
        let b0 = buffer[readIndex]
        let b1 = buffer[readIndex + 1]
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
            length = UInt64(buffer[readIndex + 2]) << 8 | UInt64(buffer[readIndex + 3])
        } else if len7 == 127 {
            headerBytes = 10
            guard available >= headerBytes else { return nil }
            length = 0
            for i in 0..<8 { length = length << 8 | UInt64(buffer[readIndex + 2 + i]) }
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
        let start = readIndex + headerBytes
        let payload = Array(buffer[start..<(start + Int(length))])
        readIndex += total
        if readIndex == buffer.count {
            buffer.removeAll(keepingCapacity: true)
            readIndex = 0
        }
        return .frame(WebSocketFrame(fin: fin, rsv: rsv, opcode: opcode, masked: masked, payload: payload))
    }

    private mutating func fail(_ code: FindingCode, _ detail: String, _ closeCode: Int, _ header: FrameHeader) -> Event {
        failed = true
        buffer = []
        readIndex = 0
        return .violation(FrameViolation(code: code, detail: detail, closeCode: closeCode, header: header))
    }
}
