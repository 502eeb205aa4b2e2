import NIOCore

/// Bytes to write at a time, or the order to end the connection at that time.
public enum StreamChunk: Sendable {
    /// Write these bytes at this time.
    case bytes(ByteBuffer, at: NIODeadline)
    /// Close both sides of the connection (TCP, no close frame) at this time.
    case closeConnection(at: NIODeadline)
}
