/// A stable identifier for a typed finding (`handshake.bad-accept-key`, `frame.reserved-opcode`).
///
/// Open set: new codes may be added without breaking the JSON contract.
public struct FindingCode: RawRepresentable, Codable, Sendable, Hashable, CustomStringConvertible, ExpressibleByStringLiteral {
    public var rawValue: String
    public init(rawValue: String) { self.rawValue = rawValue }
    public init(stringLiteral value: String) { self.rawValue = value }
    public var description: String { rawValue }

    public init(from decoder: any Decoder) throws {
        rawValue = try decoder.singleValueContainer().decode(String.self)
    }
    public func encode(to encoder: any Encoder) throws {
        var c = encoder.singleValueContainer()
        try c.encode(rawValue)
    }

    // MARK: Handshake (RFC 6455 §4.1, client's checks of the server's response)
    /// Status other than 101.
    public static let unexpectedStatus: FindingCode = "handshake.unexpected-status"
    /// No `Upgrade: websocket` in a 101.
    public static let missingUpgradeHeader: FindingCode = "handshake.missing-upgrade"
    /// No `Connection: Upgrade` in a 101.
    public static let missingConnectionHeader: FindingCode = "handshake.missing-connection"
    /// No `Sec-WebSocket-Accept`.
    public static let missingAcceptKey: FindingCode = "handshake.missing-accept"
    /// `Sec-WebSocket-Accept` does not match the key.
    public static let badAcceptKey: FindingCode = "handshake.bad-accept-key"
    /// We offered subprotocols and the server selected none (RFC 6455 §4.1: the client must fail).
    public static let subprotocolNotEchoed: FindingCode = "handshake.subprotocol-not-echoed"
    /// The server selected a subprotocol we never offered.
    public static let unexpectedSubprotocol: FindingCode = "handshake.unexpected-subprotocol"
    /// The server accepted an extension we never offered.
    public static let unexpectedExtension: FindingCode = "handshake.unexpected-extension"
    /// The response could not be parsed as HTTP/1.x (garbage, TLS to a plaintext peer, …).
    public static let malformedResponse: FindingCode = "handshake.malformed-response"
    /// The response head exceeded the size bound.
    public static let oversizedHead: FindingCode = "handshake.oversized-head"
    /// Bytes after the 101 head that are not a valid frame (a second response, garbage).
    public static let garbageAfterUpgrade: FindingCode = "handshake.garbage-after-upgrade"

    // MARK: Frames (RFC 6455 §5)
    /// A frame declared a payload longer than the bound (or 2^63).
    public static let oversizedFrame: FindingCode = "frame.oversized"
    /// A reassembled message exceeded the bound.
    public static let oversizedMessage: FindingCode = "frame.oversized-message"
    /// A message spanning more frames than the bound (a flood of tiny or empty fragments).
    public static let tooManyFragments: FindingCode = "frame.too-many-fragments"
    /// More pings a second than any keepalive sends: the client answered only the latest of each burst
    /// (RFC 6455 §5.5.3 allows it), so its bounds and its CPU held.
    public static let pingFlood: FindingCode = "frame.ping-flood"
    /// Messages arrived faster than the probe read them; the oldest unread ones were dropped to keep the
    /// client's memory bounded.
    public static let unreadMessagesDropped: FindingCode = "frame.unread-messages-dropped"
    /// More findings of one code than are listed; the rest were counted, not kept.
    public static let findingsTruncated: FindingCode = "client.findings-truncated"
    /// Opcode 0x3–0x7 or 0xB–0xF (§5.2).
    public static let reservedOpcode: FindingCode = "frame.reserved-opcode"
    /// RSV bits set without a negotiated extension (§5.2).
    public static let reservedBits: FindingCode = "frame.reserved-bits"
    /// A server frame was masked (§5.1).
    public static let maskedServerFrame: FindingCode = "frame.masked-by-server"
    /// A control frame with more than 125 bytes of payload (§5.5).
    public static let oversizedControlFrame: FindingCode = "frame.control-too-long"
    /// A control frame without FIN (§5.5).
    public static let fragmentedControlFrame: FindingCode = "frame.fragmented-control"
    /// A payload length written in a longer form than needed (§5.2: "the minimal number of bytes MUST be used").
    public static let nonMinimalLength: FindingCode = "frame.non-minimal-length"
    /// A continuation with no message started, or a new data frame inside a fragmented message (§5.4).
    public static let badContinuation: FindingCode = "frame.bad-continuation"
    /// Text message or close reason that is not valid UTF-8 (§8.1).
    public static let invalidUTF8: FindingCode = "frame.invalid-utf8"
    /// A close frame with a 1-byte body (§5.5.1).
    public static let closeBodyTooShort: FindingCode = "close.body-too-short"
    /// A close code that must not appear on the wire (1005, 1006, 1015, <1000, 1016–2999 unassigned, ≥5000).
    public static let invalidCloseCode: FindingCode = "close.invalid-code"
    /// Data after the peer's close frame.
    public static let dataAfterClose: FindingCode = "close.data-after-close"
    /// A pong that answers no ping of ours.
    public static let unsolicitedPong: FindingCode = "ping.unsolicited-pong"

    // MARK: Bounds
    /// A wait hit its bound (detail names which).
    public static let timeout: FindingCode = "timeout"
    /// Our keepalive pings got no pong within the bound: we sent 1011.
    public static let keepaliveTimeout: FindingCode = "timeout.keepalive"
}
