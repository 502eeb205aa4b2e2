import Crypto
import Foundation
import WebSocketDiagnosis
import WebSocketWire

/// The HTTP/1.1 upgrade request (RFC 6455 §4.1), built sans-I/O.
public struct UpgradeRequest: Sendable, Equatable {
    /// The `Sec-WebSocket-Key` sent (base64 of 16 random bytes).
    public var key: String
    /// Path and query.
    public var resource: String
    /// Every header, in the order sent (not redacted).
    public var headers: [HeaderField]
    /// Subprotocols offered, in order.
    public var offeredSubprotocols: [String]
    /// Extensions offered (`permessage-deflate; server_no_context_takeover; client_max_window_bits`).
    public var offeredExtensions: [String]

    /// The request for `configuration`, with a random key unless `key` is given.
    public init(configuration: ClientConfiguration, key: String? = nil) {
        self.key = key ?? Data((0..<16).map { _ in UInt8.random(in: 0...255) }).base64EncodedString()
        self.resource = configuration.url.resource
        self.offeredSubprotocols = configuration.subprotocols
        self.offeredExtensions = configuration.offerDeflate ? [PerMessageInflater.offer] : []
        let userHeaders = configuration.headers.map { HeaderField(Self.clean($0.name), Self.clean($0.value)) }
        var headers: [HeaderField] = []
        if userHeaders.first(named: "Host") == nil {
            headers.append(HeaderField("Host", configuration.url.authority))
        }
        headers.append(HeaderField("Upgrade", "websocket"))
        headers.append(HeaderField("Connection", "Upgrade"))
        headers.append(HeaderField("Sec-WebSocket-Key", self.key))
        headers.append(HeaderField("Sec-WebSocket-Version", "13"))
        if !offeredSubprotocols.isEmpty {
            headers.append(HeaderField("Sec-WebSocket-Protocol", offeredSubprotocols.joined(separator: ", ")))
        }
        if !offeredExtensions.isEmpty {
            headers.append(HeaderField("Sec-WebSocket-Extensions", offeredExtensions.joined(separator: ", ")))
        }
        let reserved: Set<String> = ["upgrade", "connection", "sec-websocket-key", "sec-websocket-version"]
        headers.append(contentsOf: userHeaders.filter { !reserved.contains($0.name.lowercased()) })
        self.headers = headers
    }

    /// The request bytes.
    public var bytes: [UInt8] {
        var text = "GET \(resource) HTTP/1.1\r\n"
        // The last line of defence against request splitting: a field with a line break or another control
        // character is never written (plans are validated before any connection; this holds for library users).
        for h in headers where !Self.hasControl(h.name) && !Self.hasControl(h.value) { text += "\(h.name): \(h.value)\r\n" }
        text += "\r\n"
        return Array(text.utf8)
    }

    /// Whether `text` holds a control character other than HTAB (scalars: `"\r\n"` is one Character).
    static func hasControl(_ text: String) -> Bool {
        text.unicodeScalars.contains { ($0.value < 0x20 && $0.value != 0x09) || $0.value == 0x7F }
    }

    /// The request as recorded (secrets redacted).
    public func recorded(by redactor: Redactor) -> HandshakeRequest {
        HandshakeRequest(
            method: "GET", resource: redactor.url(resource), headers: redactor.headers(headers),
            offeredSubprotocols: offeredSubprotocols.map(redactor.subprotocol), offeredExtensions: offeredExtensions)
    }

    /// The `Sec-WebSocket-Accept` value a server must answer for `key` (§4.2.2).
    public static func acceptValue(forKey key: String) -> String {
        let digest = Insecure.SHA1.hash(data: HandshakeAccept.input(forKey: key))
        return Data(digest).base64EncodedString()
    }

    private static func clean(_ s: String) -> String {
        String(s.unicodeScalars.filter { $0 != "\r" && $0 != "\n" && $0 != "\0" }.map(Character.init))
    }
}
