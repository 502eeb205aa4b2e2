/// A frame header that RFC 6455 §5.2 (or the reader's bound) does not allow.
///
/// Carries the header as it was read and its size on the wire, so that a reader that must go on
/// (a pass-through proxy following frame boundaries) or log the frame still can.
public struct FrameHeaderError: Error, Sendable, Hashable, CustomStringConvertible {
    /// What is wrong with the header.
    public enum Kind: Sendable, Hashable {
        /// The 64-bit length has its most significant bit set (2^63 or more). §5.2
        case lengthHighBitSet
        /// The length is above the reader's bound.
        case payloadTooLarge(limit: UInt64)
        /// The length is written in a longer form than needed (126 for under 126 bytes, 127 for 64 KiB or less). §5.2
        case nonMinimalLength
    }

    /// What is wrong.
    public var kind: Kind
    /// The header as read: the length as declared.
    public var header: FrameHeader
    /// Bytes the header took on the wire (2–14).
    public var headerLength: Int

    /// An error of `kind` about `header`, which took `headerLength` bytes.
    public init(_ kind: Kind, header: FrameHeader, headerLength: Int) {
        self.kind = kind
        self.header = header
        self.headerLength = headerLength
    }

    public var description: String {
        switch kind {
        case .lengthHighBitSet:
            "frame length \(header.payloadLength) has its most significant bit set (2^63 or more)"
        case .payloadTooLarge(let limit):
            "frame declares \(header.payloadLength) bytes of payload, more than the \(limit)-byte limit"
        case .nonMinimalLength:
            "frame length \(header.payloadLength) is written in \(headerLength - 2 - (header.isMasked ? 4 : 0)) extra bytes instead of the shortest form"
        }
    }
}
