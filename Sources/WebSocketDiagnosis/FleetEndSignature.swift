import WebSocketWire

/// How a fleet connection ended or failed, in words two failures can be compared by: `close 1001`,
/// `close without status`, `bare end`, `HTTP 503`, `no answer (tcp connection-refused)`, `held`, `cut`.
///
/// Encoded as that text (the report contract: `RawRepresentable`'s own coding of a `String` raw value), read by
/// rules through its typed parts (``closeCode``, ``isCloseFrame``, ``bareEnd``) rather than by matching the words.
public struct FleetEndSignature: RawRepresentable, Codable, Sendable, Hashable, Comparable, CustomStringConvertible,
    ExpressibleByStringLiteral
{
    public var rawValue: String
    public init(rawValue: String) { self.rawValue = rawValue }
    public init(stringLiteral value: String) { self.rawValue = value }
    public var description: String { rawValue }
    public static func < (a: FleetEndSignature, b: FleetEndSignature) -> Bool { a.rawValue < b.rawValue }

    /// Still open when the hold ended.
    public static let held: FleetEndSignature = "held"
    /// Cut by the run's own stop (`--max-time`, an interrupt).
    public static let cut: FleetEndSignature = "cut"
    /// The transport ended with no close frame.
    public static let bareEnd: FleetEndSignature = "bare end"
    /// A close frame without a status code.
    public static let closeWithoutStatus: FleetEndSignature = "close without status"
    /// A close frame with `code`.
    public static func close(_ code: Int) -> FleetEndSignature { FleetEndSignature(rawValue: "\(closePrefix)\(code)") }
    /// The upgrade answered with `status` instead of 101.
    public static func http(_ status: Int) -> FleetEndSignature { FleetEndSignature(rawValue: "HTTP \(status)") }
    /// No answer to the upgrade: what failed.
    public static func noAnswer(_ failure: String) -> FleetEndSignature { FleetEndSignature(rawValue: "no answer (\(failure))") }

    private static let closePrefix = "close "

    /// The close code of a `close NNNN` signature; `nil` for every other kind.
    public var closeCode: CloseCode? {
        guard rawValue.hasPrefix(Self.closePrefix), let code = Int(rawValue.dropFirst(Self.closePrefix.count)) else { return nil }
        return CloseCode(code)
    }

    /// Whether the connection ended by a close frame (with or without a status).
    public var isCloseFrame: Bool { closeCode != nil || self == .closeWithoutStatus }
}
