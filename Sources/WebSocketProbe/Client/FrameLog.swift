import NIOCore
import WebSocketDiagnosis
import WebSocketWire

/// The bounded record of frames in and out: the first ``headLimit`` frames and the most recent
/// ``tailLimit`` ones, with exact totals per direction and opcode, so that a long session's memory
/// stays bounded. Nothing the classifier judges by is lost: close frames, ping records and the times
/// of the last inbound and outbound frames are kept apart by the connection, exactly.
struct FrameLog: Sendable {
    /// Frames kept from the start of the connection.
    static let headLimit = 256
    /// Most recent frames kept (about 140 bytes each: at most ~1.8 MB a connection, however long it runs).
    static let tailLimit = 12_288

    private(set) var head: [FrameRecord] = []
    private(set) var tail = CircularBuffer<FrameRecord>(initialCapacity: 16)
    /// Frames recorded but no longer listed.
    private(set) var dropped = 0
    /// Count and payload bytes per direction (0 inbound, 1 outbound) and opcode (0x0–0xF).
    private var counts = [Int](repeating: 0, count: 32)
    private var bytes = [Int](repeating: 0, count: 32)

    /// Records one frame.
    mutating func append(_ record: FrameRecord, opcode: FrameOpcode) {
        let slot = (record.direction == .inbound ? 0 : 16) + Int(opcode.rawValue)
        counts[slot] += 1
        bytes[slot] &+= record.length
        if head.count < Self.headLimit {
            head.append(record)
            return
        }
        if tail.count >= Self.tailLimit {
            tail.removeFirst()
            dropped += 1
        }
        tail.append(record)
    }

    /// Every listed frame, in order (the first ones, then the most recent ones).
    var frames: [FrameRecord] { head + Array(tail) }

    /// Per direction and opcode totals over the whole connection, dropped frames included.
    var totals: [FrameTotal] {
        var out: [FrameTotal] = []
        for slot in 0..<32 where counts[slot] > 0 {
            out.append(
                FrameTotal(
                    direction: slot < 16 ? .inbound : .outbound, opcode: FrameOpcode(rawValue: UInt8(slot & 0x0F)).name,
                    count: counts[slot], payloadBytes: bytes[slot]))
        }
        return out
    }

    /// Fills `frames` and, when some were dropped, `framesDropped` and `frameTotals` of a transcript.
    func fill(_ transcript: inout ConnectionTranscript) {
        transcript.frames = frames
        if dropped > 0 {
            transcript.framesDropped = dropped
            transcript.frameTotals = totals
        }
    }
}
