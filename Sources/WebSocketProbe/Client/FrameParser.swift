import NIOCore
import WebSocketDiagnosis
import WebSocketWire

/// Sans-I/O parser of server-to-client frames (RFC 6455 §5.2): bytes in, frames or one violation out.
///
/// The header is ``WebSocketWire``'s ``FrameHeader``, read and judged there; this parser adds the
/// buffering, the payload and the findings.
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
        let limit = UInt64(max(0, maxFrameBytes))
        // The header as ``FrameHeader/decode(_:maxPayloadLength:)`` reads it; a length it refuses is
        // reported after the rules below, which take precedence.
        let decoded = buffer.withUnsafeReadableBytes { bytes in
            Result { () throws(FrameHeaderError) in try FrameHeader.decode(bytes, maxPayloadLength: limit) }
        }
        let header: FrameHeader
        let headerBytes: Int
        var lengthError: FrameHeaderError?
        switch decoded {
        case .success(nil):
            return nil
        case .success(let complete?):
            header = complete
            headerBytes = complete.encodedLength
        case .failure(let error):
            header = error.header
            headerBytes = error.headerLength
            lengthError = error
        }
        let name = header.opcode.name
        switch header.violation(sentBy: .server, allowedRSV: allowedRSV) {
        case .reservedOpcode?:
            return fail(
                .reservedOpcode, "reserved opcode 0x\(String(header.opcode.rawValue, radix: 16, uppercase: true))", .protocolError, header)
        case .reservedBits?:
            return fail(
                .reservedBits, "RSV bits \(header.rsv) set on a \(name) frame without a negotiated extension", .protocolError, header)
        case .maskedServerFrame?, .unmaskedClientFrame?:
            return fail(.maskedServerFrame, "the server masked a \(name) frame", .protocolError, header)
        case .oversizedControlFrame?:
            return fail(
                .oversizedControlFrame, "\(name) frame with \(header.payloadLength) bytes of payload (at most 125 allowed)", .protocolError,
                header)
        case .fragmentedControlFrame?:
            return fail(.fragmentedControlFrame, "\(name) frame without FIN", .protocolError, header)
        case nil:
            break
        }
        if let lengthError {
            switch lengthError.kind {
            case .lengthHighBitSet: return fail(.oversizedFrame, lengthError.description, .protocolError, header)
            case .payloadTooLarge: return fail(.oversizedFrame, lengthError.description, .messageTooBig, header)
            case .nonMinimalLength: return fail(.nonMinimalLength, lengthError.description, .protocolError, header)
            }
        }
        let length = Int(header.payloadLength)
        guard buffer.readableBytes >= headerBytes + length else { return nil }
        buffer.moveReaderIndex(forwardBy: headerBytes)
        let payload = buffer.readBytes(length: length) ?? []
        if buffer.readableBytes == 0 {
            // Nothing left: drop the storage (the next read usually brings its own buffer).
            buffer = ByteBuffer()
        }
        return .frame(WebSocketFrame(fin: header.fin, rsv: header.rsv, opcode: header.opcode, masked: header.isMasked, payload: payload))
    }

    private mutating func fail(_ code: FindingCode, _ detail: String, _ closeCode: CloseCode, _ header: FrameHeader) -> Event {
        failed = true
        buffer = ByteBuffer()
        return .violation(FrameViolation(code: code, detail: detail, closeCode: closeCode, header: header))
    }
}
