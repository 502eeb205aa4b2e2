import NIOHTTP1

/// An HTTP/1.1 response head as an upstream sent it (or as the proxy makes it), editable by faults.
public struct ProxyResponseHead: Sendable, Equatable {
    /// `HTTP/1.1`.
    public var version: String
    /// The status code.
    public var status: Int
    /// The reason phrase.
    public var reason: String
    /// The header lines.
    public var headers: HTTPHeaderList

    /// Creates a head.
    public init(version: String = "HTTP/1.1", status: Int, reason: String, headers: HTTPHeaderList = .init()) {
        self.version = version
        self.status = status
        self.reason = reason
        self.headers = headers
    }

    /// Parses the lines of a head (status line first). Returns nil when the status line is malformed.
    public init?(lines: [String]) {
        guard let first = lines.first else { return nil }
        let parts = first.split(separator: " ", maxSplits: 2, omittingEmptySubsequences: false)
        guard parts.count >= 2, parts[0].hasPrefix("HTTP/1."), let status = Int(parts[1]), (100...999).contains(status) else { return nil }
        guard let headers = HTTPHeadParser.headers(from: lines.dropFirst()) else { return nil }
        self.init(version: String(parts[0]), status: status, reason: parts.count > 2 ? String(parts[2]) : "", headers: headers)
    }

    /// The head in wire form, ending with the empty line.
    public func encoded() -> [UInt8] {
        var text = "\(version) \(status) \(reason)\r\n"
        for field in headers.fields { text += "\(field.name): \(field.value)\r\n" }
        text += "\r\n"
        return Array(text.utf8)
    }

    /// A complete response made by the proxy itself (`Connection: close`, a text body), with `extraHeaders`
    /// before the standard ones (default none).
    public static func simple(
        status: Int, body: String, contentType: String = "text/plain; charset=utf-8", extraHeaders: [(String, String)] = []
    ) -> [UInt8] {
        var head = ProxyResponseHead(status: status, reason: reasonPhrase(status))
        let bodyBytes = Array(body.utf8)
        for (name, value) in extraHeaders { head.headers.add(name, value) }
        head.headers.add("Content-Type", contentType)
        head.headers.add("Content-Length", String(bodyBytes.count))
        head.headers.add("Connection", "close")
        return head.encoded() + bodyBytes
    }

    /// The standard reason phrase of `status`.
    public static func reasonPhrase(_ status: Int) -> String {
        // NIOHTTP1 knows every registered status; an unregistered one has an empty phrase.
        let phrase = HTTPResponseStatus(statusCode: status).reasonPhrase
        return phrase.isEmpty ? "Status \(status)" : phrase
    }
}
