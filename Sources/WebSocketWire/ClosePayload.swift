/// The payload of a close frame (RFC 6455 §5.5.1): empty, or a status code and a UTF-8 reason.
public struct ClosePayload: Sendable, Hashable {
    /// The status code; nil for an empty payload (reported as 1005, ``CloseCode/noStatusReceived``).
    public var code: CloseCode?
    /// The reason; empty when the payload had none.
    public var reason: String

    /// The most reason bytes a close frame holds: 125 bytes of control payload less the 2-byte code. §5.5
    public static let maxReasonBytes = 123

    /// A payload with `code` (nil: empty payload) and `reason` (ignored without a code).
    public init(code: CloseCode?, reason: String = "") {
        self.code = code
        self.reason = code == nil ? "" : reason
    }

    // MARK: - Encoding

    /// The bytes to send: the code (big-endian), then the reason cut at a character boundary to fit
    /// ``maxReasonBytes``.
    ///
    /// - Throws: ``ClosePayloadError`` of kind ``ClosePayloadError/Kind/codeNotAllowed`` for a code an
    ///   endpoint must not send (§7.4.1: 1005, 1006, 1015; §7.4.2: below 1000, 1016–2999, 5000 and up).
    public func encoded() throws(ClosePayloadError) -> [UInt8] {
        if let code, !code.isValidOnWire { throw ClosePayloadError(.codeNotAllowed, code: code, reason: reason) }
        return unvalidatedEncoding()
    }

    /// The bytes of this payload even when its code must not be sent (only a fault injector or a test
    /// impersonating a broken peer wants this). Codes outside 0–65535 are cut to 16 bits.
    public func unvalidatedEncoding() -> [UInt8] {
        guard let code else { return [] }
        var reasonBytes = Array(reason.utf8.prefix(Self.maxReasonBytes))
        // Cut at a character boundary, so that a long reason stays valid UTF-8.
        while !reasonBytes.isEmpty && String(validating: reasonBytes, as: UTF8.self) == nil { reasonBytes.removeLast() }
        return [UInt8(truncatingIfNeeded: code.rawValue >> 8), UInt8(truncatingIfNeeded: code.rawValue)] + reasonBytes
    }

    // MARK: - Decoding

    /// The payload of a received close frame.
    ///
    /// - Throws: ``ClosePayloadError`` for a 1-byte payload, a code that must not be on the wire, or a
    ///   reason that is not UTF-8 (checked in that order); the error keeps the code and the reason (decoded
    ///   lossily) for the record.
    public static func decode<C: Collection>(_ payload: C) throws(ClosePayloadError) -> ClosePayload where C.Element == UInt8 {
        if payload.isEmpty { return ClosePayload(code: nil) }
        guard payload.count >= 2 else { throw ClosePayloadError(.oneByte, code: nil, reason: "") }
        let first = payload.startIndex
        let second = payload.index(after: first)
        let code = CloseCode(Int(payload[first]) << 8 | Int(payload[second]))
        let reasonBytes = payload[payload.index(after: second)...]
        guard code.isValidOnWire else {
            throw ClosePayloadError(.codeNotAllowed, code: code, reason: String(decoding: reasonBytes, as: UTF8.self))
        }
        guard let reason = String(validating: reasonBytes, as: UTF8.self) else {
            throw ClosePayloadError(.invalidUTF8, code: code, reason: String(decoding: reasonBytes, as: UTF8.self))
        }
        return ClosePayload(code: code, reason: reason)
    }

    /// The code at the start of a close payload without validating anything (nil for fewer than two bytes):
    /// what a pass-through reader that only counts or rewrites codes needs.
    public static func peekCode<C: Collection>(_ payload: C) -> CloseCode? where C.Element == UInt8 {
        guard payload.count >= 2 else { return nil }
        let first = payload.startIndex
        return CloseCode(Int(payload[first]) << 8 | Int(payload[payload.index(after: first)]))
    }
}
