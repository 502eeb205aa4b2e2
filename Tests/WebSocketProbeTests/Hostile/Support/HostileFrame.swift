import WebSocketWire

/// Raw server frames, including ones no valid server would send.
///
/// Headers and masking come from ``WebSocketWire`` (``FrameHeader``, ``MaskingKey``); what the codec
/// refuses to make is put together here on purpose: a declared length that differs from the payload
/// (``raw(_:length:payload:mask:)``), and close bodies with codes that must not be on the wire or a
/// reason that is not UTF-8 (``close(_:reason:)``).
enum HostileFrame {
    /// A frame from its first byte (FIN, RSV and opcode bits), a declared length — which may differ from the
    /// payload, something the codec never writes — and an optional mask.
    static func raw(_ b0: UInt8, length: UInt64? = nil, payload: [UInt8] = [], mask: [UInt8]? = nil) -> [UInt8] {
        let key = mask.flatMap { MaskingKey($0) }
        let header = FrameHeader(
            fin: b0 & 0x80 != 0, rsv: (b0 >> 4) & 0x7, opcode: FrameOpcode(rawValue: b0), maskKey: key,
            payloadLength: length ?? UInt64(payload.count))
        return header.encode() + (key.map { $0.applied(to: payload) } ?? payload)
    }

    /// A frame with FIN and `opcode`.
    static func frame(_ opcode: FrameOpcode, _ payload: [UInt8] = [], fin: Bool = true, rsv: UInt8 = 0) -> [UInt8] {
        FrameHeader(fin: fin, rsv: rsv, opcode: opcode, payloadLength: 0).frame(payload: payload)
    }

    /// A close frame with `code` (big-endian) and raw reason bytes. Built by hand: the codec's ``ClosePayload``
    /// refuses codes that must not be on the wire and cannot hold a reason that is not UTF-8.
    static func close(_ code: Int, reason: [UInt8] = []) -> [UInt8] {
        frame(.close, [UInt8((code >> 8) & 0xFF), UInt8(code & 0xFF)] + reason)
    }
}
