import NIOCore
import NIOWebSocket
import WebSocketWire

extension EchoWebSocketHandler {
    /// The frame's payload unmasked into a new buffer, eight bytes at a time with the client's masking
    /// routine, ``MaskingKey`` (NIO's `unmaskedData` copies the payload, then unmasks it one byte at a time: the echo
    /// server's hot spot at 64 KiB). An unmasked frame's payload is returned as it is.
    static func unmasked(_ frame: NIOWebSocket.WebSocketFrame, allocator: ByteBufferAllocator) -> ByteBuffer {
        guard let nioKey = frame.maskKey, frame.data.readableBytes > 0 else { return frame.data }
        let key = MaskingKey(nioKey[0], nioKey[1], nioKey[2], nioKey[3])
        let count = frame.data.readableBytes
        var out = allocator.buffer(capacity: count)
        frame.data.withUnsafeReadableBytes { source in
            out.writeWithUnsafeMutableBytes(minimumWritableBytes: count) { target in
                key.apply(source, into: target)
                return count
            }
        }
        return out
    }
}
