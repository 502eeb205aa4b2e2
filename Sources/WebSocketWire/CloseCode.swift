/// A WebSocket close status code (RFC 6455 §7.4, IANA "WebSocket Close Code Number Registry"),
/// with what each one means for attribution.
///
/// The one registry of close codes: code is written by name (`.internalError`), not as `1011`.
public struct CloseCode: RawRepresentable, Sendable, Hashable, Codable, CustomStringConvertible {
    /// The number on the wire (or, for 1005, 1006 and 1015, the number an API reports).
    public var rawValue: Int
    /// The code `rawValue`.
    public init(rawValue: Int) { self.rawValue = rawValue }
    /// The code `value`.
    public init(_ value: Int) { self.rawValue = value }

    /// Normal closure. Corresponds to code 1000.
    public static let normalClosure = CloseCode(1000)
    /// Endpoint going away (server shutdown, browser navigating away; Cloudflare's edge restart).
    /// Corresponds to code 1001.
    public static let goingAway = CloseCode(1001)
    /// Protocol error: the peer broke RFC 6455. Corresponds to code 1002.
    public static let protocolError = CloseCode(1002)
    /// Unacceptable data type (or, in some apps, no supported subprotocol). Corresponds to code 1003.
    public static let unsupportedData = CloseCode(1003)
    /// Reserved by RFC 6455 §7.4.1 ("the specific meaning might be defined in the future"). Never sent.
    /// Corresponds to code 1004.
    public static let reserved = CloseCode(1004)
    /// No status present: a close frame with an empty body. Never sent on the wire.
    /// Corresponds to code 1005.
    public static let noStatusReceived = CloseCode(1005)
    /// Abnormal closure: the transport ended with no close frame. Never sent on the wire
    /// (RFC 6455 §7.1.5). Corresponds to code 1006.
    public static let abnormalClosure = CloseCode(1006)
    /// Invalid frame payload data (e.g. non-UTF-8 text). Corresponds to code 1007.
    public static let invalidPayload = CloseCode(1007)
    /// Policy violation: auth failures and validation errors. Corresponds to code 1008.
    public static let policyViolation = CloseCode(1008)
    /// Message too big. Corresponds to code 1009.
    public static let messageTooBig = CloseCode(1009)
    /// The client expected an extension the server did not negotiate. Corresponds to code 1010.
    public static let mandatoryExtension = CloseCode(1010)
    /// Internal error: the server hit an unexpected condition (or a keepalive gave up).
    /// Corresponds to code 1011.
    public static let internalError = CloseCode(1011)
    /// Service restart (uvicorn on shutdown; IANA registry). Corresponds to code 1012.
    public static let serviceRestart = CloseCode(1012)
    /// Try again later (overload; IANA registry). Corresponds to code 1013.
    public static let tryAgainLater = CloseCode(1013)
    /// Bad gateway: a proxy got an invalid response upstream (IANA registry). Corresponds to code 1014.
    public static let badGateway = CloseCode(1014)
    /// TLS handshake failure. Never sent on the wire. Corresponds to code 1015.
    public static let tlsHandshake = CloseCode(1015)

    /// The registered name of the code (`"internal error"`), or a range description.
    public var name: String {
        switch rawValue {
        case 1000: "normal closure"
        case 1001: "going away"
        case 1002: "protocol error"
        case 1003: "unsupported data"
        case 1004: "reserved"
        case 1005: "no status received"
        case 1006: "abnormal closure"
        case 1007: "invalid frame payload data"
        case 1008: "policy violation"
        case 1009: "message too big"
        case 1010: "mandatory extension"
        case 1011: "internal error"
        case 1012: "service restart"
        case 1013: "try again later"
        case 1014: "bad gateway"
        case 1015: "TLS handshake"
        case 3000..<4000: "registered (library/framework)"
        case 4000..<5000: "private use (application)"
        default: "unassigned"
        }
    }

    /// 3000–4999: a code a library, framework (3000–3999, IANA-registered) or application (4000–4999,
    /// private use) defines for itself. §7.4.2
    public var isApplicationDefined: Bool { (3000..<5000).contains(rawValue) }

    /// Whether an endpoint may put this code in a close frame (RFC 6455 §7.4.1, §7.4.2): 1000–1003,
    /// 1007–1014 and 3000–4999.
    public var isValidOnWire: Bool {
        switch rawValue {
        case 1000...1003, 1007...1014: true
        case 3000..<5000: true
        default: false
        }
    }

    public var description: String { "\(rawValue) (\(name))" }

    public init(from decoder: any Decoder) throws {
        rawValue = try decoder.singleValueContainer().decode(Int.self)
    }
    public func encode(to encoder: any Encoder) throws {
        var c = encoder.singleValueContainer()
        try c.encode(rawValue)
    }
}
