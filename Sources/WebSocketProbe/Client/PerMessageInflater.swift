import CompressNIO
import NIOCore

/// Inflates permessage-deflate messages (RFC 7692 §7.2.2) received with `server_no_context_takeover`,
/// so that every message is decompressed on its own.
enum PerMessageInflater {
    /// The offer sent when `offerDeflate` is on: we require the server not to keep its context.
    static let offer = "permessage-deflate; server_no_context_takeover; client_max_window_bits"

    /// The message bytes, or `nil` when they are not a valid deflate stream or exceed `maxBytes`.
    static func inflate(_ compressed: ArraySlice<UInt8>, maxBytes: Int) -> [UInt8]? {
        var buffer = ByteBuffer(bytes: Array(compressed) + [0x00, 0x00, 0xFF, 0xFF])
        guard var output = try? buffer.decompress(with: .deflate(), maxSize: maxBytes) else { return nil }
        return output.readBytes(length: output.readableBytes)
    }
}
