import WebSocketWire

/// Follows frame boundaries in one direction of a WebSocket byte stream, across reads.
///
/// Sans-I/O and allocation-free on the pass-through path: it reads each frame header where it
/// lies in the read (copying only a header split across reads, at most 14 bytes), then skips the
/// payload by count. It never copies a data payload; control-frame payloads (at most 125 bytes by RFC 6455
/// §5.5) are captured unmasked so that close codes can be read and rewritten. It never traps on
/// peer input: lengths are 64-bit and a malformed stream only yields odd headers. Headers are read
/// with ``WebSocketWire``'s ``FrameHeader`` codec; a header the codec refuses is still followed (see
/// ``decode(_:)``), because a pass-through forwards what the peers wrote and judges nothing.
public struct FrameBoundaryTracker: Sendable {
    /// What the tracker found in the bytes it was given, in order.
    public enum Event: Equatable, Sendable {
        /// A complete frame header; `headerBytesInBuffer` is the part of it that lies in the buffer
        /// given (the rest came with earlier reads when the header was split).
        case header(FrameHeader, headerBytesInBuffer: Range<Int>)
        /// A run of payload bytes of the current frame, as a range of the buffer given.
        case payload(Range<Int>)
        /// The current frame ended; `controlPayload` is the unmasked payload of a control frame.
        case frameEnd(FrameHeader, controlPayload: [UInt8]?)
    }

    /// Largest control-frame payload captured (RFC 6455 §5.5).
    public static let maxControlPayload = FrameHeader.maxControlPayloadLength

    private var headerBytes: [UInt8] = []
    private var current: FrameHeader?
    private var remaining: UInt64 = 0
    private var payloadOffset: Int = 0
    private var control: [UInt8] = []

    /// Frames whose header has been read so far.
    public private(set) var framesSeen: Int = 0

    /// Creates a tracker positioned at a frame boundary.
    public init() {
        headerBytes.reserveCapacity(14)
    }

    /// Whether the stream is between frames.
    public var isAtFrameBoundary: Bool { current == nil && headerBytes.isEmpty }

    /// Feeds `bytes` (the readable bytes of one read) and reports what they contain through `event`.
    public mutating func consume(_ bytes: UnsafeRawBufferPointer, _ event: (Event) -> Void) {
        var i = 0
        let n = bytes.count
        while i < n {
            if let header = current {
                let available = UInt64(n - i)
                let take = Int(min(remaining, available))
                if header.isControl {
                    let room = Self.maxControlPayload - control.count
                    if room > 0 {
                        let start = control.count
                        control.append(contentsOf: UnsafeRawBufferPointer(rebasing: bytes[i..<(i + min(take, room))]))
                        if let key = header.maskKey {
                            control.withUnsafeMutableBytes {
                                key.apply(to: UnsafeMutableRawBufferPointer(rebasing: $0[start...]), offset: payloadOffset)
                            }
                        }
                    }
                }
                event(.payload(i..<(i + take)))
                i += take
                remaining -= UInt64(take)
                payloadOffset &+= take
                if remaining == 0 { finishFrame(event) }
                continue
            }
            // Reading a header.
            let headerStart = i
            let header: FrameHeader
            if headerBytes.isEmpty, let needed = FrameHeader.encodedLength(firstBytes: UnsafeRawBufferPointer(rebasing: bytes[i...])),
                needed <= n - i
            {
                // The whole header lies in this read (the usual case): read where it lies, nothing kept.
                header = Self.decode(UnsafeRawBufferPointer(rebasing: bytes[i..<(i + needed)]))
                i += needed
            } else {
                // Split across reads: gathered byte by byte until complete.
                while i < n {
                    headerBytes.append(bytes[i])
                    i += 1
                    if let needed = Self.headerLength(headerBytes), headerBytes.count == needed { break }
                }
                guard let needed = Self.headerLength(headerBytes), headerBytes.count == needed else { return }
                header = Self.decode(headerBytes)
                headerBytes.removeAll(keepingCapacity: true)
            }
            current = header
            remaining = header.payloadLength
            payloadOffset = 0
            if !control.isEmpty { control.removeAll(keepingCapacity: true) }
            framesSeen += 1
            event(.header(header, headerBytesInBuffer: headerStart..<i))
            if remaining == 0 { finishFrame(event) }
        }
    }

    private mutating func finishFrame(_ event: (Event) -> Void) {
        guard let header = current else { return }
        current = nil
        event(.frameEnd(header, controlPayload: header.isControl ? control : nil))
    }

    /// Total header length once the first two bytes are known.
    static func headerLength(_ b: [UInt8]) -> Int? {
        b.withUnsafeBytes { FrameHeader.encodedLength(firstBytes: $0) }
    }

    /// The header in `b` (all of its bytes). A header the codec refuses is read as it lies: a length not in
    /// its shortest form as declared, a 64-bit length with its most significant bit set without that bit
    /// (RFC 6455 §5.2: it MUST be 0), so that the boundaries the peers see are the boundaries followed.
    static func decode(_ b: [UInt8]) -> FrameHeader {
        b.withUnsafeBytes { decode($0) }
    }

    /// The header in `b` (all of its bytes), read as the array form above reads it.
    static func decode(_ b: UnsafeRawBufferPointer) -> FrameHeader {
        do {
            if let header = try FrameHeader.decode(b) { return header }
        } catch {
            var header = error.header
            header.payloadLength &= FrameHeader.maxPayloadLength
            return header
        }
        // Not reached: `consume` calls this with exactly `headerLength(b)` bytes.
        return FrameHeader(opcode: FrameOpcode(rawValue: b.first ?? 0), payloadLength: 0)
    }
}
