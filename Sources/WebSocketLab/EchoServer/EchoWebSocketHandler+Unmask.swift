import NIOCore
import NIOWebSocket
import WebSocketProbe

extension EchoWebSocketHandler {
    /// The frame's payload unmasked into a new buffer, eight bytes at a time with the client's masking
    /// routine (NIO's `unmaskedData` copies the payload, then unmasks it one byte at a time: the echo
    /// server's hot spot at 64 KiB). An unmasked frame's payload is returned as it is.
    static func unmasked(_ frame: NIOWebSocket.WebSocketFrame, allocator: ByteBufferAllocator) -> ByteBuffer {
        guard let key = frame.maskKey, frame.data.readableBytes > 0 else { return frame.data }
        let count = frame.data.readableBytes
        var out = allocator.buffer(capacity: count)
        frame.data.withUnsafeReadableBytes { source in
            out.writeWithUnsafeMutableBytes(minimumWritableBytes: count) { target in
                WebSocketProbe.WebSocketFrame.mask(source, into: target, key: (key[0], key[1], key[2], key[3]))
                return count
            }
        }
        return out
    }
}
