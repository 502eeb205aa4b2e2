/// Raw server frames, including ones no valid server would send.
enum HostileFrame {
    /// A frame from its first byte, a declared length (which may differ from the payload) and an optional mask.
    static func raw(_ b0: UInt8, length: UInt64? = nil, payload: [UInt8] = [], mask: [UInt8]? = nil) -> [UInt8] {
        let n = length ?? UInt64(payload.count)
        let maskBit: UInt8 = mask == nil ? 0 : 0x80
        var out: [UInt8] = [b0]
        if n < 126 {
            out.append(maskBit | UInt8(n))
        } else if n <= 0xFFFF {
            out += [maskBit | 126, UInt8(n >> 8), UInt8(n & 0xFF)]
        } else {
            out.append(maskBit | 127)
            for shift in stride(from: 56, through: 0, by: -8) { out.append(UInt8((n >> UInt64(shift)) & 0xFF)) }
        }
        if let mask {
            out += mask
            out += payload.enumerated().map { $0.element ^ mask[$0.offset & 3] }
        } else {
            out += payload
        }
        return out
    }

    /// A frame with FIN and `opcode`.
    static func frame(_ opcode: UInt8, _ payload: [UInt8] = [], fin: Bool = true, rsv: UInt8 = 0) -> [UInt8] {
        raw((fin ? 0x80 : 0) | (rsv << 4) | opcode, payload: payload)
    }

    /// A close frame with `code` (big-endian) and raw reason bytes.
    static func close(_ code: Int, reason: [UInt8] = []) -> [UInt8] {
        frame(0x8, [UInt8((code >> 8) & 0xFF), UInt8(code & 0xFF)] + reason)
    }
}
