import WebSocketDiagnosis
import WebSocketWire

/// The body of a close frame (RFC 6455 §5.5.1): an optional status code and a UTF-8 reason.
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
        if payload.isEmpty { return CloseFrameBody(code: nil) }
        if payload.count == 1 {
            return CloseFrameBody(code: nil, violation: FrameViolation(code: .closeBodyTooShort, detail: "close frame with a 1-byte body (a status code needs 2 bytes)", closeCode: 1002))
        }
        let code = Int(payload[0]) << 8 | Int(payload[1])
        let reasonBytes = Array(payload[2...])
        var body = CloseFrameBody(code: code, reason: String(decoding: reasonBytes, as: UTF8.self))
        if !CloseCode(code).isValidOnWire {
            body.violation = FrameViolation(code: .invalidCloseCode, detail: "close code \(code) must not be sent on the wire", closeCode: 1002)
        } else if String(validating: reasonBytes, as: UTF8.self) == nil {
            body.violation = FrameViolation(code: .invalidUTF8, detail: "close reason is not valid UTF-8", closeCode: 1007)
        }
        return body
    }

    /// The payload to send: code (big-endian) then the reason, truncated to fit 125 bytes.
    public static func encode(code: Int?, reason: String) -> [UInt8] {
        guard let code else { return [] }
        var out: [UInt8] = [UInt8((code >> 8) & 0xFF), UInt8(code & 0xFF)]
        var reasonBytes = Array(reason.utf8.prefix(123))
        while String(validating: reasonBytes, as: UTF8.self) == nil && !reasonBytes.isEmpty { reasonBytes.removeLast() }
        out.append(contentsOf: reasonBytes)
        return out
    }
}
