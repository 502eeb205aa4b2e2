import Foundation
import WebSocketDiagnosis
import WebSocketWire

/// Sans-I/O parser of the upgrade response head (status line and headers), bounded in size.
///
/// The head is collected by ``WebSocketWire``'s ``HTTPHeadReader`` (the parser the proxy uses too);
/// this type adds the early refusal of bytes that are not HTTP, and the status line and header fields.
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
    public var maxHeadBytes: Int { reader.maxBytes }
    private var reader: HTTPHeadReader
    /// The first bytes of the response (up to 8), for the early check and its message.
    private var firstBytes: [UInt8] = []
    private var done = false

    /// A parser accepting heads up to `maxHeadBytes` (default 64 KiB).
    public init(maxHeadBytes: Int = 64 << 10) {
        reader = HTTPHeadReader(maxBytes: maxHeadBytes)
    }

    /// Adds bytes and reports the state.
    public mutating func append<S: Sequence>(_ bytes: S) -> Result where S.Element == UInt8 {
        guard !done else { return .needMore }
        let chunk = Array(bytes)
        if firstBytes.count < 8 { firstBytes += chunk.prefix(8 - firstBytes.count) }
        // Fail fast on bytes that cannot start an HTTP response (TLS records, binary garbage).
        let prefix = Array("HTTP/".utf8)
        let n = min(prefix.count, firstBytes.count)
        if Array(firstBytes[0..<n]) != Array(prefix[0..<n]) {
            done = true
            return .malformed("the response does not start with 'HTTP/' (first bytes: \(Self.hex(firstBytes)))")
        }
        switch reader.feed(chunk) {
        case .needMore:
            return .needMore
        case .tooLarge(let size):
            done = true
            return .oversized(size)
        case .complete(let lines, let consumed):
            done = true
            let remainder = Array(chunk[consumed...])
            switch Self.parseHead(lines) {
            case .success(let head): return .head(head, remainder: remainder)
            case .failure(let message): return .malformed(message.text)
            }
        }
    }

    // MARK: - Parsing

    private struct Message: Error { var text: String }

    private static func parseHead(_ headLines: [String]) -> Swift.Result<ResponseHead, Message> {
        var lines = headLines.map { Substring($0) }
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
        return .success(
            ResponseHead(
                httpVersion: String(parts[0]), status: status, reasonPhrase: parts.count > 2 ? String(parts[2]) : "", headers: headers))
    }

    static func hex<C: Collection>(_ bytes: C) -> String where C.Element == UInt8 {
        bytes.map { b in (b < 16 ? "0" : "") + String(b, radix: 16) }.joined(separator: " ")
    }
}
