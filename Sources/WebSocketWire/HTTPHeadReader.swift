/// Collects an HTTP/1.x head (start line and field lines) from a byte stream, with a hard size bound.
///
/// Sans-I/O: feed it reads; it answers "need more", "too large", or the head's lines and how many
/// bytes of the last read belong to the head (the rest — a body, or the first WebSocket frames —
/// follows it). The one head parser of the package: the proxy's request and response heads and the
/// client's upgrade response go through it.
///
/// - Lines end with LF, a CR before it is dropped (RFC 9112 §2.2 lets a recipient accept a bare LF);
///   the head ends at the first empty line.
/// - The head's size is its bytes before the terminating empty line (the last line's own line ending
///   excluded). A head larger than `maxBytes` is refused as soon as that is certain: when the end is
///   found past the bound, or `maxBytes + 4` bytes are held without an end (a head that fits would
///   have shown its end by then, however the reads were cut).
/// - Lines are decoded as UTF-8 with invalid bytes replaced (U+FFFD); callers judge their content.
public struct HTTPHeadReader: Sendable {
    /// What feeding bytes produced.
    public enum Outcome: Sendable, Equatable {
        /// The head is not complete yet.
        case needMore
        /// The head is larger than the bound: `size` is the head's size, or the bytes held when no end was found.
        case tooLarge(size: Int)
        /// The head's lines (without line endings), and the number of bytes of the last read that belong to the head.
        case complete(lines: [String], consumed: Int)
    }

    /// The largest head accepted, in bytes.
    public let maxBytes: Int
    private var held: [UInt8] = []
    /// Where the search for the end resumes (a line ending may straddle reads).
    private var scanned = 0

    /// A reader accepting heads up to `maxBytes` (at least 0).
    public init(maxBytes: Int) {
        self.maxBytes = max(0, maxBytes)
    }

    /// Bytes held so far (never more than `maxBytes + 4`).
    public var heldBytes: Int { held.count }

    /// Feeds one read. After `.complete` or `.tooLarge` the reader starts over with an empty head.
    public mutating func feed(_ bytes: UnsafeRawBufferPointer) -> Outcome {
        let before = held.count
        let room = maxBytes + 4 - before
        held.append(contentsOf: bytes.prefix(max(0, room)))
        guard let end = Self.endOfHead(held, from: scanned) else {
            scanned = max(0, held.count - 3)
            if held.count >= maxBytes + 4 {
                let size = held.count
                reset()
                return .tooLarge(size: size)
            }
            return .needMore
        }
        defer { reset() }
        guard end.size <= maxBytes else { return .tooLarge(size: end.size) }
        let lines = held[0..<end.size].split(separator: 0x0A, omittingEmptySubsequences: false).map { line in
            String(decoding: line.last == 0x0D ? line.dropLast() : line, as: UTF8.self)
        }
        return .complete(lines: lines, consumed: end.next - before)
    }

    /// Feeds one read given as bytes.
    public mutating func feed<C: Collection>(_ bytes: C) -> Outcome where C.Element == UInt8 {
        let outcome = bytes.withContiguousStorageIfAvailable { feed(UnsafeRawBufferPointer($0)) }
        return outcome ?? Array(bytes).withUnsafeBytes { feed($0) }
    }

    private mutating func reset() {
        held = []
        scanned = 0
    }

    /// The head's size (bytes before the line ending of its last line) and the index after the empty line,
    /// for the first empty line at or after `from`.
    private static func endOfHead(_ b: [UInt8], from: Int) -> (size: Int, next: Int)? {
        var i = from
        while i < b.count {
            if b[i] == 0x0A {
                // The line ending that ends the last line starts at its CR, if any.
                let lineEnd = i > 0 && b[i - 1] == 0x0D ? i - 1 : i
                if i + 1 < b.count && b[i + 1] == 0x0A { return (lineEnd, i + 2) }
                if i + 2 < b.count && b[i + 1] == 0x0D && b[i + 2] == 0x0A { return (lineEnd, i + 3) }
            }
            i += 1
        }
        return nil
    }
}
