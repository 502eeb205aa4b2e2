import NIOCore

/// Collects an HTTP/1.x head from a byte stream, with a hard size bound.
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
        /// The head's lines (without CRLF) and what came after the empty line.
        case complete(lines: [String], rest: ByteBuffer)
    }

    /// The largest head accepted.
    public let maxBytes: Int
    private var collected: [UInt8] = []
    private var scanned = 0

    /// Creates a parser that accepts heads up to `maxBytes` (default 32 KiB).
    public init(maxBytes: Int = 32 * 1024) { self.maxBytes = maxBytes }

    /// Feeds one read.
    public mutating func feed(_ buffer: ByteBuffer) -> Outcome {
        var buffer = buffer
        let room = maxBytes + 4 - collected.count
        let take = min(room, buffer.readableBytes)
        if take > 0, let bytes = buffer.readBytes(length: take) { collected += bytes }
        var i = max(scanned - 3, 0)
        while i + 3 < collected.count {
            if collected[i] == 13, collected[i + 1] == 10, collected[i + 2] == 13, collected[i + 3] == 10 {
                let headEnd = i + 4
                if headEnd - 4 > maxBytes { return .tooLarge }
                let text = String(decoding: collected[0..<i], as: UTF8.self)
                let lines = text.components(separatedBy: "\r\n")
                var rest = ByteBufferAllocator().buffer(capacity: collected.count - headEnd + buffer.readableBytes)
                rest.writeBytes(collected[headEnd...])
                rest.writeBuffer(&buffer)
                collected = []
                scanned = 0
                return .complete(lines: lines, rest: rest)
            }
            i += 1
        }
        scanned = collected.count
        return collected.count > maxBytes ? .tooLarge : .needMore
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
