import WebSocketDiagnosis
import WebSocketWire

/// The body of a close frame (RFC 6455 §5.5.1) as the probe records it: what arrived, and what was
/// wrong with it (``WebSocketWire``'s ``ClosePayload`` decides).
public struct CloseFrameBody: Sendable, Equatable {
    /// The status code; `nil` for an empty body ("1005").
    public var code: Int?
    /// The reason (lossy UTF-8 when the peer sent invalid bytes).
    public var reason: String
    /// What was wrong with the body, when something was.
    public var violation: FrameViolation?

    /// A body with a code and reason.
    public init(code: Int?, reason: String = "", violation: FrameViolation? = nil) {
        self.code = code
        self.reason = reason
        self.violation = violation
    }

    /// Parses a received close payload; never fails, reports problems in ``violation``.
    public static func parse(_ payload: [UInt8]) -> CloseFrameBody {
        do {
            let body = try ClosePayload.decode(payload)
            return CloseFrameBody(code: body.code?.rawValue, reason: body.reason)
        } catch {
            let finding: FindingCode =
                switch error.kind {
                case .oneByte: .closeBodyTooShort
                case .codeNotAllowed: .invalidCloseCode
                case .invalidUTF8: .invalidUTF8
                }
            let violation = FrameViolation(code: finding, detail: error.description, closeCode: error.failureCode.rawValue)
            return CloseFrameBody(code: error.code?.rawValue, reason: error.reason, violation: violation)
        }
    }

    /// The payload to send: code (big-endian) then the reason, cut at a character boundary to fit 125 bytes.
    /// The code is written as given, even one that must not be on the wire (the caller's choice: the probe's own
    /// closes use valid codes, a test may impersonate a broken peer).
    public static func encode(code: Int?, reason: String) -> [UInt8] {
        ClosePayload(code: code.map { CloseCode($0) }, reason: reason).unvalidatedEncoding()
    }
}
