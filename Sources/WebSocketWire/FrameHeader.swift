/// The header of one WebSocket frame (RFC 6455 §5.2): FIN, RSV1–3, opcode, mask and payload length.
///
/// A plain value with one encoder and one decoder. ``encode()`` always writes the shortest length
/// form; ``decode(_:maxPayloadLength:)`` refuses what §5.2 forbids — a length that is not in its
/// shortest form, a 64-bit length with its most significant bit set — and a length above the
/// caller's bound, each with a typed ``FrameHeaderError`` that still carries the header as read.
public struct FrameHeader: Sendable, Hashable {
    /// FIN: the last frame of a message.
    public var fin: Bool
    /// The three reserved bits as the low bits of a nibble: RSV1 = 4, RSV2 = 2, RSV3 = 1.
    public var rsv: UInt8
    /// The opcode.
    public var opcode: FrameOpcode
    /// The masking key, present on client-to-server frames (§5.3).
    public var maskKey: MaskingKey?
    /// The payload length.
    public var payloadLength: UInt64

    /// A header; `rsv` keeps its low three bits. Defaults: FIN set, no RSV bits, no mask.
    public init(fin: Bool = true, rsv: UInt8 = 0, opcode: FrameOpcode, maskKey: MaskingKey? = nil, payloadLength: UInt64) {
        self.fin = fin
        self.rsv = rsv & 0x7
        self.opcode = opcode
        self.maskKey = maskKey
        self.payloadLength = payloadLength
    }

    /// Close, ping and pong (and the reserved control opcodes).
    public var isControl: Bool { opcode.isControl }
    /// Text, binary or continuation (and the reserved data opcodes).
    public var isData: Bool { opcode.isData }
    /// Whether the frame carries a masking key.
    public var isMasked: Bool { maskKey != nil }

    /// The longest header: 2 bytes, an 8-byte length and a 4-byte key.
    public static let maxEncodedLength = 14
    /// The largest length §5.2 allows: 63 bits (the most significant bit of the 64-bit form must be 0).
    public static let maxPayloadLength: UInt64 = 0x7FFF_FFFF_FFFF_FFFF
    /// The largest control-frame payload (§5.5).
    public static let maxControlPayloadLength = 125

    // MARK: - Encoding

    /// Bytes the encoded header takes (shortest length form).
    public var encodedLength: Int {
        2 + Self.extendedLengthBytes(payloadLength) + (maskKey == nil ? 0 : 4)
    }

    /// Writes the header at the start of `target` (at least ``encodedLength`` bytes) and returns the count written.
    @discardableResult
    public func write(into target: UnsafeMutableRawBufferPointer) -> Int {
        let count = encodedLength
        precondition(target.count >= count, "a \(count)-byte header does not fit in \(target.count) bytes")
        target[0] = (fin ? 0x80 : 0) | (rsv & 0x7) << 4 | opcode.rawValue
        let maskBit: UInt8 = maskKey == nil ? 0 : 0x80
        var p = 2
        switch Self.extendedLengthBytes(payloadLength) {
        case 0:
            target[1] = maskBit | UInt8(payloadLength)
        case 2:
            target[1] = maskBit | 126
            target[2] = UInt8(truncatingIfNeeded: payloadLength >> 8)
            target[3] = UInt8(truncatingIfNeeded: payloadLength)
            p = 4
        default:
            target[1] = maskBit | 127
            for j in 0..<8 { target[2 + j] = UInt8(truncatingIfNeeded: payloadLength >> UInt64(56 - 8 * j)) }
            p = 10
        }
        if let k = maskKey {
            (target[p], target[p + 1], target[p + 2], target[p + 3]) = (k.b0, k.b1, k.b2, k.b3)
        }
        return count
    }

    /// The header bytes (shortest length form).
    public func encode() -> [UInt8] {
        [UInt8](unsafeUninitializedCapacity: Self.maxEncodedLength) { buffer, count in
            count = write(into: UnsafeMutableRawBufferPointer(buffer))
        }
    }

    /// A whole frame: this header with its length set from `payload`, then `payload` (given unmasked,
    /// masked here when the header has a key).
    public func frame<C: Collection>(payload: C) -> [UInt8] where C.Element == UInt8 {
        var header = self
        header.payloadLength = UInt64(payload.count)
        var body = Array(payload)
        maskKey?.apply(to: &body)
        return header.encode() + body
    }

    private static func extendedLengthBytes(_ length: UInt64) -> Int {
        length < 126 ? 0 : (length <= 0xFFFF ? 2 : 8)
    }

    // MARK: - Decoding

    /// Bytes the header starting with `first2` takes, from its first two bytes; nil with fewer than two.
    public static func encodedLength(firstBytes bytes: UnsafeRawBufferPointer) -> Int? {
        guard bytes.count >= 2 else { return nil }
        let len7 = bytes[1] & 0x7F
        return 2 + (len7 == 126 ? 2 : (len7 == 127 ? 8 : 0)) + (bytes[1] & 0x80 != 0 ? 4 : 0)
    }

    /// The header at the start of `bytes`, or nil while `bytes` holds less than the whole header.
    ///
    /// - Parameters:
    ///   - bytes: the stream from a frame boundary on; only the header's bytes are read.
    ///   - maxPayloadLength: the largest payload accepted (default ``maxPayloadLength``, the RFC's 63 bits).
    /// - Throws: ``FrameHeaderError`` when the length's most significant bit is set, the length is above
    ///   `maxPayloadLength`, or it is not written in its shortest form (checked in that order).
    ///   The error carries the header as read and its size on the wire.
    public static func decode(
        _ bytes: UnsafeRawBufferPointer, maxPayloadLength: UInt64 = maxPayloadLength
    ) throws(FrameHeaderError) -> FrameHeader? {
        guard let size = encodedLength(firstBytes: bytes), bytes.count >= size else { return nil }
        let b0 = bytes[0]
        let b1 = bytes[1]
        let len7 = b1 & 0x7F
        var length = UInt64(len7)
        var p = 2
        if len7 == 126 {
            length = UInt64(bytes[2]) << 8 | UInt64(bytes[3])
            p = 4
        } else if len7 == 127 {
            length = 0
            for j in 2..<10 { length = length << 8 | UInt64(bytes[j]) }
            p = 10
        }
        let key = b1 & 0x80 != 0 ? MaskingKey(bytes[p], bytes[p + 1], bytes[p + 2], bytes[p + 3]) : nil
        let header = FrameHeader(
            fin: b0 & 0x80 != 0, rsv: (b0 >> 4) & 0x7, opcode: FrameOpcode(rawValue: b0), maskKey: key, payloadLength: length)
        // §5.2: "the most significant bit MUST be 0".
        if length > Self.maxPayloadLength {
            throw FrameHeaderError(.lengthHighBitSet, header: header, headerLength: size)
        }
        if length > maxPayloadLength {
            throw FrameHeaderError(.payloadTooLarge(limit: maxPayloadLength), header: header, headerLength: size)
        }
        // §5.2: "the minimal number of bytes MUST be used to encode the length".
        if (len7 == 126 && length < 126) || (len7 == 127 && length <= 0xFFFF) {
            throw FrameHeaderError(.nonMinimalLength, header: header, headerLength: size)
        }
        return header
    }

    /// The header at the start of `bytes` (see ``decode(_:maxPayloadLength:)``).
    public static func decode(_ bytes: [UInt8], maxPayloadLength: UInt64 = maxPayloadLength) throws(FrameHeaderError) -> FrameHeader? {
        let result = bytes.withUnsafeBytes { raw in
            Result { () throws(FrameHeaderError) in try decode(raw, maxPayloadLength: maxPayloadLength) }
        }
        return try result.get()
    }

    // MARK: - Protocol rules

    /// The first rule of RFC 6455 this header breaks for a frame sent by `sender`, or nil.
    ///
    /// Checked in order: a reserved opcode (§5.2), RSV bits outside `allowedRSV` or on a control
    /// frame (§5.2; 0x4 is RSV1, which permessage-deflate uses), the mask (§5.1: clients mask, servers
    /// do not), a control frame over 125 bytes or without FIN (§5.5).
    public func violation(sentBy sender: Endpoint, allowedRSV: UInt8 = 0) -> FrameHeaderViolation? {
        if opcode.isReserved { return .reservedOpcode }
        if rsv & ~allowedRSV != 0 || (isControl && rsv != 0) { return .reservedBits }
        switch sender {
        case .server where isMasked: return .maskedServerFrame
        case .client where !isMasked: return .unmaskedClientFrame
        default: break
        }
        if isControl && payloadLength > UInt64(Self.maxControlPayloadLength) { return .oversizedControlFrame }
        if isControl && !fin { return .fragmentedControlFrame }
        return nil
    }

    /// Which end of a connection sent a frame.
    public enum Endpoint: Sendable, Hashable {
        /// The side that opened the connection: its frames are masked.
        case client
        /// The side that accepted it: its frames are not masked.
        case server
    }
}
