import NIOCore
import WebSocketWire

/// Collects an HTTP/1.x head from the proxy's reads, with a hard size bound: ``WebSocketWire``'s
/// ``HTTPHeadReader`` over `ByteBuffer`s.
///
/// Sans-I/O: feed it reads; it answers "need more", "too large", "invalid" or the head's lines
/// plus the bytes that followed the head (a request body, or the first WebSocket frames).
public struct HTTPHeadParser: Sendable {
    /// The outcome of feeding bytes.
    public enum Outcome: Sendable {
        /// The head is not complete yet.
        case needMore
        /// The head exceeded `maxBytes` before its end.
        case tooLarge
        /// The head's lines (without line endings) and what came after the empty line.
        case complete(lines: [String], rest: ByteBuffer)
    }

    /// The largest head accepted.
    public var maxBytes: Int { reader.maxBytes }
    private var reader: HTTPHeadReader

    /// Creates a parser that accepts heads up to `maxBytes` (default 32 KiB).
    public init(maxBytes: Int = 32 * 1024) { reader = HTTPHeadReader(maxBytes: maxBytes) }

    /// Feeds one read.
    public mutating func feed(_ buffer: ByteBuffer) -> Outcome {
        switch buffer.withUnsafeReadableBytes({ reader.feed($0) }) {
        case .needMore:
            return .needMore
        case .tooLarge:
            return .tooLarge
        case .complete(let lines, let consumed):
            // What follows the head is a slice of the read: not copied.
            let rest = buffer.getSlice(at: buffer.readerIndex + consumed, length: buffer.readableBytes - consumed) ?? ByteBuffer()
            return .complete(lines: lines, rest: rest)
        }
    }

    /// Parses header lines (`Name: value`); nil when a line has no colon or an empty or invalid name.
    static func headers<S: Sequence>(from lines: S) -> HTTPHeaderList? where S.Element == String {
        var list = HTTPHeaderList()
        for line in lines {
            guard let colon = line.firstIndex(of: ":") else { return nil }
            let name = String(line[..<colon])
            guard !name.isEmpty, name.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || "-_!#$%&'*+.^`|~".contains($0)) }) else {
                return nil
            }
            list.add(name, line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces))
        }
        return list
    }
}
