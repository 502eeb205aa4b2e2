import Foundation
import NIOCore

/// Takes an HTTP/1.1 response body off the wire (RFC 9112 §6): a fixed `Content-Length`, `chunked`
/// transfer coding, or everything until the connection closes — so that the HTTP/2 front can send the body
/// itself as DATA frames (HTTP/2 has no transfer codings).
///
/// Sans-I/O: feed it what the upstream sends after the head; it returns the body bytes and whether the body
/// is complete, or nil when the chunked coding is malformed.
struct HTTP1BodyDecoder: Sendable {
    /// How the body is delimited.
    enum Framing: Sendable, Equatable {
        /// No body (a `HEAD` answer, 1xx, 204, 304).
        case none
        /// Exactly this many bytes.
        case length(Int)
        /// `Transfer-Encoding: chunked`.
        case chunked
        /// Until the upstream closes the connection.
        case untilClose
    }

    private enum Chunked: Sendable, Equatable {
        /// Reading a chunk-size line (the bytes so far).
        case sizeLine([UInt8])
        /// Inside a chunk: bytes left.
        case data(Int)
        /// After a chunk's data: the CRLF still expected (bytes left of it).
        case dataEnd(Int)
        /// After the last chunk: trailer lines until an empty one (the current line so far).
        case trailers([UInt8])
    }

    /// The longest chunk-size or trailer line accepted.
    static let maxLineBytes = 4096

    let framing: Framing
    private var remaining: Int
    private var chunked: Chunked = .sizeLine([])
    /// Whether the whole body went through.
    private(set) var isComplete: Bool

    /// A decoder for `framing`.
    init(framing: Framing) {
        self.framing = framing
        switch framing {
        case .none:
            remaining = 0
            isComplete = true
        case .length(let n):
            remaining = n
            isComplete = n == 0
        case .chunked, .untilClose:
            remaining = 0
            isComplete = false
        }
    }

    /// The framing of a response to `method` with `status` and `headers` (RFC 9112 §6.3).
    static func framing(status: Int, method: String, headers: HTTPHeaderList) -> Framing {
        if method.uppercased() == "HEAD" || (100..<200).contains(status) || status == 204 || status == 304 { return .none }
        if headers.contains("Transfer-Encoding", token: "chunked") { return .chunked }
        if let length = headers.first("Content-Length").flatMap({ Int($0) }), length >= 0 { return .length(length) }
        return .untilClose
    }

    /// Feeds what the upstream sent; returns the body bytes in it and whether the body is now complete, or nil
    /// when the chunked coding is malformed. Bytes after the end of the body are dropped.
    mutating func feed(_ buffer: ByteBuffer) -> (body: ByteBuffer, complete: Bool)? {
        var buffer = buffer
        switch framing {
        case .none:
            return (ByteBuffer(), true)
        case .untilClose:
            return (buffer, false)
        case .length:
            let take = min(remaining, buffer.readableBytes)
            remaining -= take
            if remaining == 0 { isComplete = true }
            return (buffer.readSlice(length: take) ?? ByteBuffer(), isComplete)
        case .chunked:
            var out = ByteBuffer()
            while buffer.readableBytes > 0, !isComplete {
                switch chunked {
                case .sizeLine(var line):
                    let byte = buffer.readInteger(as: UInt8.self)!
                    if byte == UInt8(ascii: "\n") {
                        guard let size = Self.chunkSize(line) else { return nil }
                        chunked = size == 0 ? .trailers([]) : .data(size)
                    } else {
                        line.append(byte)
                        guard line.count <= Self.maxLineBytes else { return nil }
                        chunked = .sizeLine(line)
                    }
                case .data(let left):
                    let take = min(left, buffer.readableBytes)
                    var slice = buffer.readSlice(length: take)!
                    out.writeBuffer(&slice)
                    chunked = left == take ? .dataEnd(2) : .data(left - take)
                case .dataEnd(let left):
                    let byte = buffer.readInteger(as: UInt8.self)!
                    if byte == UInt8(ascii: "\n") {
                        chunked = .sizeLine([])
                    } else {
                        guard byte == UInt8(ascii: "\r"), left == 2 else { return nil }
                        chunked = .dataEnd(1)
                    }
                case .trailers(var line):
                    let byte = buffer.readInteger(as: UInt8.self)!
                    if byte == UInt8(ascii: "\n") {
                        if line.isEmpty || line == [UInt8(ascii: "\r")] { isComplete = true } else { chunked = .trailers([]) }
                    } else {
                        line.append(byte)
                        guard line.count <= Self.maxLineBytes else { return nil }
                        chunked = .trailers(line)
                    }
                }
            }
            return (out, isComplete)
        }
    }

    /// The size of a chunk-size line (`1a;ext=1\r`): hexadecimal before any extension; nil when malformed.
    private static func chunkSize(_ line: [UInt8]) -> Int? {
        var digits = line
        if digits.last == UInt8(ascii: "\r") { digits.removeLast() }
        if let semicolon = digits.firstIndex(of: UInt8(ascii: ";")) { digits = Array(digits[..<semicolon]) }
        let text = String(decoding: digits, as: UTF8.self).trimmingCharacters(in: .whitespaces)
        guard !text.isEmpty, text.count <= 15, let size = Int(text, radix: 16), size >= 0 else { return nil }
        return size
    }
}
