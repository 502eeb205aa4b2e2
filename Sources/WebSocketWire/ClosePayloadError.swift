/// A close payload that RFC 6455 does not allow, with what could be read of it.
public struct ClosePayloadError: Error, Sendable, Hashable, CustomStringConvertible {
    /// What is wrong with the payload.
    public enum Kind: Sendable, Hashable {
        /// A 1-byte payload: a status code needs two bytes. §5.5.1
        case oneByte
        /// A code that must not be sent (1005, 1006, 1015, or outside 1000–1003, 1007–1014, 3000–4999). §7.4
        case codeNotAllowed
        /// The reason is not valid UTF-8. §5.5.1
        case invalidUTF8
    }

    /// What is wrong.
    public var kind: Kind
    /// The code as read (nil for a 1-byte payload).
    public var code: CloseCode?
    /// The reason, decoded lossily (invalid UTF-8 becomes U+FFFD).
    public var reason: String

    /// An error of `kind` about a payload with `code` and `reason`.
    public init(_ kind: Kind, code: CloseCode?, reason: String) {
        self.kind = kind
        self.code = code
        self.reason = reason
    }

    /// The code to fail the connection with: ``CloseCode/invalidPayload`` for a bad reason, else
    /// ``CloseCode/protocolError`` (§7.1.7, §8.1).
    public var failureCode: CloseCode { kind == .invalidUTF8 ? .invalidPayload : .protocolError }

    public var description: String {
        switch kind {
        case .oneByte: "close frame with a 1-byte body (a status code needs 2 bytes)"
        case .codeNotAllowed: "close code \(code?.rawValue ?? 0) must not be sent on the wire"
        case .invalidUTF8: "close reason is not valid UTF-8"
        }
    }
}
