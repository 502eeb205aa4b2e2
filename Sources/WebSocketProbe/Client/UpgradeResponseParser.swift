import Foundation
import WebSocketDiagnosis

/// Sans-I/O parser of the upgrade response head (status line and headers), bounded in size.
public struct UpgradeResponseParser: Sendable {
    /// What the parser produced so far.
    public enum Result: Sendable, Equatable {
        /// The head is not complete yet.
        case needMore
        /// The head is complete; `remainder` are the bytes after it (frames or body).
        case head(ResponseHead, remainder: [UInt8])
        /// The bytes are not an HTTP/1.x response.
        case malformed(String)
        /// The head grew beyond the bound.
        case oversized(Int)
    }

    /// The largest head accepted.
    public var maxHeadBytes: Int
    private var buffer: [UInt8] = []
    private var done = false

    /// A parser accepting heads up to `maxHeadBytes` (default 64 KiB).
    public init(maxHeadBytes: Int = 64 << 10) {
        self.maxHeadBytes = maxHeadBytes
    }

    /// Adds bytes and reports the state.
    public mutating func append<S: Sequence>(_ bytes: S) -> Result where S.Element == UInt8 {
        guard !done else { return .needMore }
        let scanFrom = max(0, buffer.count - 3)
        buffer.append(contentsOf: bytes)
        // Fail fast on bytes that cannot start an HTTP response (TLS records, binary garbage).
        let prefix = Array("HTTP/".utf8)
        let n = min(prefix.count, buffer.count)
        if Array(buffer[0..<n]) != Array(prefix[0..<n]) {
            done = true
            return .malformed("the response does not start with 'HTTP/' (first bytes: \(Self.hex(buffer.prefix(8))))")
        }
        guard let end = Self.endOfHead(buffer, from: scanFrom) else {
            if buffer.count > maxHeadBytes + 2 {  // a terminator split across reads may end up to 2 bytes past a head that fits
                done = true
                return .oversized(buffer.count)
            }
            return .needMore
        }
        done = true
        guard end.headEnd <= maxHeadBytes else { return .oversized(end.headEnd) }
        let remainder = Array(buffer[end.bodyStart...])
        switch Self.parseHead(buffer[0..<end.headEnd]) {
        case .success(let head): return .head(head, remainder: remainder)
        case .failure(let message): return .malformed(message.text)
        }
    }

    // MARK: - Parsing

    private struct Message: Error { var text: String }

    private static func endOfHead(_ b: [UInt8], from: Int) -> (headEnd: Int, bodyStart: Int)? {
        var i = from
        while i < b.count {
            if b[i] == 0x0A {
                if i + 1 < b.count && b[i + 1] == 0x0A { return (i, i + 2) }
                if i + 2 < b.count && b[i + 1] == 0x0D && b[i + 2] == 0x0A { return (i, i + 3) }
            }
            i += 1
        }
        return nil
    }

    private static func parseHead(_ bytes: ArraySlice<UInt8>) -> Swift.Result<ResponseHead, Message> {
        // Split on LF bytes (a Swift String treats CR LF as one character).
        var lines = bytes.split(separator: 0x0A, omittingEmptySubsequences: false).map { line -> Substring in
            let trimmed = line.last == 0x0D ? line.dropLast() : line
            return Substring(String(decoding: trimmed, as: UTF8.self))
        }
        while let last = lines.last, last.isEmpty { lines.removeLast() }
        guard let statusLine = lines.first else { return .failure(Message(text: "empty response head")) }
        let parts = statusLine.split(separator: " ", maxSplits: 2, omittingEmptySubsequences: false)
        guard parts.count >= 2, parts[0].hasPrefix("HTTP/1."), parts[1].count == 3, let status = Int(parts[1]) else {
            return .failure(Message(text: "invalid status line '\(statusLine.prefix(80))'"))
        }
        var headers: [HeaderField] = []
        for line in lines.dropFirst() {
            guard let colon = line.firstIndex(of: ":") else {
                return .failure(Message(text: "header line without ':' ('\(line.prefix(80))')"))
            }
            let name = line[..<colon].trimmingCharacters(in: .whitespaces)
            guard !name.isEmpty else { return .failure(Message(text: "header with an empty name")) }
            headers.append(HeaderField(name, line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)))
        }
        return .success(ResponseHead(httpVersion: String(parts[0]), status: status, reasonPhrase: parts.count > 2 ? String(parts[2]) : "", headers: headers))
    }

    static func hex<C: Collection>(_ bytes: C) -> String where C.Element == UInt8 {
        bytes.map { b in (b < 16 ? "0" : "") + String(b, radix: 16) }.joined(separator: " ")
    }
}
