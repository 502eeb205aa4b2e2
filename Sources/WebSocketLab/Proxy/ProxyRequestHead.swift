/// An HTTP/1.1 request head as the proxy received it, editable by faults before it goes upstream.
public struct ProxyRequestHead: Sendable, Equatable {
    /// `GET`, `POST`, …
    public var method: String
    /// The request target (`/ws?x=1`).
    public var target: String
    /// `HTTP/1.1` or `HTTP/1.0`.
    public var version: String
    /// The header lines.
    public var headers: HTTPHeaderList

    /// Creates a head.
    public init(method: String, target: String, version: String = "HTTP/1.1", headers: HTTPHeaderList = .init()) {
        self.method = method
        self.target = target
        self.version = version
        self.headers = headers
    }

    /// Parses the lines of a head (request line first). Returns nil when the request line is malformed.
    public init?(lines: [String]) {
        guard let first = lines.first else { return nil }
        let parts = first.split(separator: " ", omittingEmptySubsequences: true)
        guard parts.count == 3, parts[2].hasPrefix("HTTP/1."), parts[0].allSatisfy({ $0.isLetter }) else { return nil }
        guard let headers = HTTPHeadParser.headers(from: lines.dropFirst()) else { return nil }
        self.init(method: String(parts[0]), target: String(parts[1]), version: String(parts[2]), headers: headers)
    }

    /// Whether this asks for a WebSocket upgrade (RFC 6455 §4.1: `Upgrade: websocket` and `Connection: Upgrade`).
    public var isWebSocketUpgrade: Bool {
        headers.contains("Upgrade", token: "websocket") && headers.contains("Connection", token: "upgrade")
    }

    /// The head in wire form, ending with the empty line.
    public func encoded() -> [UInt8] {
        var text = "\(method) \(target) \(version)\r\n"
        for field in headers.fields { text += "\(field.name): \(field.value)\r\n" }
        text += "\r\n"
        return Array(text.utf8)
    }
}
