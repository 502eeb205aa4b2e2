import NIOCore

/// The little WebSocket wire codec the load clients need: masked client frames out, server frame
/// heads in (RFC 6455 §5.2), and the upgrade request. Sans-I/O; no per-frame copies when scanning.
enum WireCodec {
    static let text: UInt8 = 0x1
    static let binary: UInt8 = 0x2
    static let close: UInt8 = 0x8
    static let ping: UInt8 = 0x9
    static let pong: UInt8 = 0xA

    /// The head of one frame at the reader index of a buffer.
    struct FrameHead {
        var fin: Bool
        var opcode: UInt8
        var maskKey: (UInt8, UInt8, UInt8, UInt8)?
        var headerLength: Int
        var payloadLength: Int
        var totalLength: Int { headerLength + payloadLength }
    }

    /// The head of the next frame, or nil while fewer bytes than the head are buffered.
    /// Lengths above `limit` are reported as `Int.max` (the caller treats that as an error).
    static func peekHead(_ buffer: ByteBuffer, limit: Int = 64 << 20) -> FrameHead? {
        let start = buffer.readerIndex
        guard buffer.readableBytes >= 2,
            let b0 = buffer.getInteger(at: start, as: UInt8.self),
            let b1 = buffer.getInteger(at: start + 1, as: UInt8.self)
        else { return nil }
        var header = 2
        var length = Int(b1 & 0x7F)
        if length == 126 {
            guard let l = buffer.getInteger(at: start + 2, as: UInt16.self) else { return nil }
            length = Int(l)
            header = 4
        } else if length == 127 {
            guard let l = buffer.getInteger(at: start + 2, as: UInt64.self) else { return nil }
            length = l > UInt64(limit) ? Int.max / 2 : Int(l)
            header = 10
        }
        var key: (UInt8, UInt8, UInt8, UInt8)?
        if b1 & 0x80 != 0 {
            guard let k = buffer.getBytes(at: start + header, length: 4) else { return nil }
            key = (k[0], k[1], k[2], k[3])
            header += 4
        }
        return FrameHead(fin: b0 & 0x80 != 0, opcode: b0 & 0x0F, maskKey: key, headerLength: header, payloadLength: length)
    }

    /// Reads a complete frame's payload (unmasked) and consumes the frame; nil when incomplete.
    static func readFrame(_ buffer: inout ByteBuffer, limit: Int = 64 << 20) -> (head: FrameHead, payload: [UInt8])? {
        guard let head = peekHead(buffer, limit: limit), buffer.readableBytes >= head.totalLength else { return nil }
        buffer.moveReaderIndex(forwardBy: head.headerLength)
        var payload = buffer.readBytes(length: head.payloadLength) ?? []
        if let key = head.maskKey {
            let k = [key.0, key.1, key.2, key.3]
            for i in payload.indices { payload[i] ^= k[i & 3] }
        }
        return (head, payload)
    }

    /// One masked client frame with FIN set.
    static func clientFrame(opcode: UInt8, payload: [UInt8], allocator: ByteBufferAllocator = .init()) -> ByteBuffer {
        var out = allocator.buffer(capacity: payload.count + 14)
        out.writeInteger(0x80 | opcode)
        if payload.count < 126 {
            out.writeInteger(UInt8(0x80 | payload.count))
        } else if payload.count <= 0xFFFF {
            out.writeInteger(UInt8(0x80 | 126))
            out.writeInteger(UInt16(payload.count))
        } else {
            out.writeInteger(UInt8(0x80 | 127))
            out.writeInteger(UInt64(payload.count))
        }
        let key = (0..<4).map { _ in UInt8.random(in: 0...255) }
        out.writeBytes(key)
        var masked = payload
        for i in masked.indices { masked[i] ^= key[i & 3] }
        out.writeBytes(masked)
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

    /// Where the response head ends (index after CRLFCRLF), or nil while incomplete.
    static func headEnd(_ buffer: ByteBuffer) -> Int? {
        let view = buffer.readableBytesView
        guard view.count >= 4 else { return nil }
        var i = view.startIndex
        let last = view.endIndex - 3
        while i < last {
            if view[i] == 13, view[i + 1] == 10, view[i + 2] == 13, view[i + 3] == 10 { return i + 4 - view.startIndex }
            i += 1
        }
        return nil
    }
}
