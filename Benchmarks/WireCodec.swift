import NIOCore
import WebSocketWire

/// What the load clients need on top of ``WebSocketWire``: masked client frames out, server frames in
/// (RFC 6455 §5.2), and the upgrade request. Sans-I/O; no per-frame copies when scanning.
enum WireCodec {
    /// The head of one frame at the reader index of a buffer.
    struct FrameHead {
        var header: FrameHeader
        var headerLength: Int
        var payloadLength: Int
        var fin: Bool { header.fin }
        var opcode: FrameOpcode { header.opcode }
        var maskKey: MaskingKey? { header.maskKey }
        var totalLength: Int { headerLength + payloadLength }
    }

    /// The head of the next frame, or nil while fewer bytes than the head are buffered.
    /// A length above `limit` (or one the codec refuses) is reported as `Int.max / 2` (the caller treats that as an error).
    static func peekHead(_ buffer: ByteBuffer, limit: Int = 64 << 20) -> FrameHead? {
        let decoded = buffer.withUnsafeReadableBytes { bytes in
            Result { () throws(FrameHeaderError) in try FrameHeader.decode(bytes, maxPayloadLength: UInt64(limit)) }
        }
        switch decoded {
        case .success(let header?):
            return FrameHead(header: header, headerLength: header.encodedLength, payloadLength: Int(header.payloadLength))
        case .success(nil): return nil
        case .failure(let error): return FrameHead(header: error.header, headerLength: error.headerLength, payloadLength: Int.max / 2)
        }
    }

    /// Reads a complete frame's payload (unmasked) and consumes the frame; nil when incomplete.
    static func readFrame(_ buffer: inout ByteBuffer, limit: Int = 64 << 20) -> (head: FrameHead, payload: [UInt8])? {
        guard let head = peekHead(buffer, limit: limit), buffer.readableBytes >= head.totalLength else { return nil }
        buffer.moveReaderIndex(forwardBy: head.headerLength)
        var payload = buffer.readBytes(length: head.payloadLength) ?? []
        head.maskKey?.apply(to: &payload)
        return (head, payload)
    }

    /// One masked client frame with FIN set.
    static func clientFrame(opcode: FrameOpcode, payload: [UInt8], allocator: ByteBufferAllocator = .init()) -> ByteBuffer {
        let header = FrameHeader(opcode: opcode, maskKey: .random(), payloadLength: UInt64(payload.count))
        var out = allocator.buffer(capacity: payload.count + FrameHeader.maxEncodedLength)
        out.writeWithUnsafeMutableBytes(minimumWritableBytes: FrameHeader.maxEncodedLength) { header.write(into: $0) }
        payload.withUnsafeBytes { source in
            out.writeWithUnsafeMutableBytes(minimumWritableBytes: source.count) { target in
                header.maskKey?.apply(source, into: target)
                return source.count
            }
        }
        return out
    }

    /// An HTTP/1.1 upgrade request for `path` on `host:port`, optionally offering subprotocols.
    static func upgradeRequest(host: String, port: Int, path: String, subprotocols: [String] = []) -> String {
        var lines = [
            "GET \(path) HTTP/1.1", "Host: \(host):\(port)", "Upgrade: websocket", "Connection: Upgrade",
            "Sec-WebSocket-Key: \(randomKey())", "Sec-WebSocket-Version: 13",
        ]
        if !subprotocols.isEmpty { lines.append("Sec-WebSocket-Protocol: " + subprotocols.joined(separator: ", ")) }
        return lines.joined(separator: "\r\n") + "\r\n\r\n"
    }

    private static func randomKey() -> String {
        let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/")
        // 16 random bytes in base64 = 22 characters + "==".
        return String((0..<21).map { _ in alphabet[Int.random(in: 0..<64)] }) + "A=="
    }

    /// Where the response head ends (index after the empty line), or nil while incomplete (or over 64 KiB).
    static func headEnd(_ buffer: ByteBuffer) -> Int? {
        var reader = HTTPHeadReader(maxBytes: 64 << 10)
        guard case .complete(_, let consumed) = buffer.withUnsafeReadableBytes({ reader.feed($0) }) else { return nil }
        return consumed
    }
}
