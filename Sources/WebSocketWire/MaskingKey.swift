/// The four-byte key a client masks its frames with (RFC 6455 §5.3), and the one masking routine.
///
/// Masking and unmasking are the same operation: byte `i` of the payload is XORed with byte
/// `i mod 4` of the key. The routine works a 64-bit word at a time and never allocates.
public struct MaskingKey: Sendable, Hashable {
    /// The key bytes in wire order.
    public let b0: UInt8, b1: UInt8, b2: UInt8, b3: UInt8

    /// A key from its four bytes in wire order.
    public init(_ b0: UInt8, _ b1: UInt8, _ b2: UInt8, _ b3: UInt8) {
        (self.b0, self.b1, self.b2, self.b3) = (b0, b1, b2, b3)
    }

    /// A key from exactly four bytes; nil for any other count.
    public init?<C: Collection>(_ bytes: C) where C.Element == UInt8 {
        guard bytes.count == 4 else { return nil }
        var i = bytes.startIndex
        let b0 = bytes[i]
        i = bytes.index(after: i)
        let b1 = bytes[i]
        i = bytes.index(after: i)
        let b2 = bytes[i]
        i = bytes.index(after: i)
        self.init(b0, b1, b2, bytes[i])
    }

    /// The key bytes in wire order.
    public var bytes: [UInt8] { [b0, b1, b2, b3] }

    /// A key from `generator` (§5.3: the key must be unpredictable, one per frame).
    public static func random<G: RandomNumberGenerator>(using generator: inout G) -> MaskingKey {
        let v = UInt32.random(in: .min ... .max, using: &generator)
        return MaskingKey(
            UInt8(truncatingIfNeeded: v >> 24), UInt8(truncatingIfNeeded: v >> 16), UInt8(truncatingIfNeeded: v >> 8),
            UInt8(truncatingIfNeeded: v))
    }

    /// A key from the system's random source.
    public static func random() -> MaskingKey {
        var generator = SystemRandomNumberGenerator()
        return random(using: &generator)
    }

    // MARK: - Masking

    /// XORs `source` with the key into `target` (at least as long), starting at payload offset `offset`
    /// (the index of `source`'s first byte in the frame's payload; it matters when a payload arrives in pieces).
    /// `source` and `target` may be the same memory.
    public func apply(_ source: UnsafeRawBufferPointer, into target: UnsafeMutableRawBufferPointer, offset: Int = 0) {
        let n = source.count
        precondition(target.count >= n, "the masking target is shorter than the source")
        guard n > 0, let src = source.baseAddress, let dst = target.baseAddress else { return }
        // The key rotated to the offset, twice, as it lies in memory: byte j of the word masks byte j of each chunk.
        let r = rotated(by: offset)
        let word = withUnsafeBytes(of: (r.b0, r.b1, r.b2, r.b3, r.b0, r.b1, r.b2, r.b3)) { $0.loadUnaligned(as: UInt64.self) }
        var i = 0
        while i + 8 <= n {
            let v = src.loadUnaligned(fromByteOffset: i, as: UInt64.self)
            dst.storeBytes(of: v ^ word, toByteOffset: i, as: UInt64.self)
            i += 8
        }
        withUnsafeBytes(of: word) { key in
            while i < n {
                dst.storeBytes(of: src.load(fromByteOffset: i, as: UInt8.self) ^ key[i & 7], toByteOffset: i, as: UInt8.self)
                i += 1
            }
        }
    }

    /// Masks (or unmasks) `bytes` in place, starting at payload offset `offset`.
    public func apply(to bytes: UnsafeMutableRawBufferPointer, offset: Int = 0) {
        apply(UnsafeRawBufferPointer(bytes), into: bytes, offset: offset)
    }

    /// Masks (or unmasks) `bytes` in place, starting at payload offset `offset`.
    public func apply(to bytes: inout [UInt8], offset: Int = 0) {
        bytes.withUnsafeMutableBytes { apply(to: $0, offset: offset) }
    }

    /// `bytes` masked (or unmasked), starting at payload offset `offset`.
    public func applied<C: Collection>(to bytes: C, offset: Int = 0) -> [UInt8] where C.Element == UInt8 {
        var out = Array(bytes)
        apply(to: &out, offset: offset)
        return out
    }

    /// The key as seen from payload offset `offset`: its byte `j` masks payload byte `offset + j`.
    private func rotated(by offset: Int) -> MaskingKey {
        switch offset & 3 {
        case 1: MaskingKey(b1, b2, b3, b0)
        case 2: MaskingKey(b2, b3, b0, b1)
        case 3: MaskingKey(b3, b0, b1, b2)
        default: self
        }
    }
}
