import NIOCore
import Testing
import WebSocketWire

@testable import WebSocketLab

@Suite("Frame boundary tracker")
struct FrameBoundaryTrackerTests {
    private func events(_ chunks: [[UInt8]]) -> [FrameBoundaryTracker.Event] {
        var tracker = FrameBoundaryTracker()
        var all: [FrameBoundaryTracker.Event] = []
        for chunk in chunks { chunk.withUnsafeBytes { tracker.consume($0) { all.append($0) } } }
        return all
    }

    @Test func headerSplitAcrossReadsIsReassembled() {
        let frame = FrameHeader(opcode: .binary, payloadLength: 0).frame(payload: Array(repeating: 7, count: 300))
        // 300 bytes needs the 16-bit length form: a 4-byte header, split after 1 and 3 bytes.
        let chunks = [Array(frame[0..<1]), Array(frame[1..<3]), Array(frame[3...])]
        let got = events(chunks)
        guard case .header(let header, _) = got.first else {
            Issue.record("no header event: \(got)")
            return
        }
        #expect(header.opcode == FrameOpcode.binary)
        #expect(header.payloadLength == 300)
        let payloadBytes = got.reduce(0) { sum, event in
            if case .payload(let range) = event { return sum + range.count }
            return sum
        }
        #expect(payloadBytes == 300)
        if case .frameEnd(let end, nil) = got.last { #expect(end.payloadLength == 300) } else { Issue.record("no frame end") }
    }

    @Test func maskedCloseCodeIsReadEvenWhenSplitMidPayload() throws {
        let frame = FrameHeader(opcode: .close, maskKey: MaskingKey(1, 2, 3, 4), payloadLength: 0)
            .frame(payload: try ClosePayload(code: .internalError, reason: "Internal error").encoded())
        let got = events([Array(frame[0..<7]), Array(frame[7...])])
        guard case .frameEnd(let header, let payload?) = got.last else {
            Issue.record("no control frame end: \(got)")
            return
        }
        #expect(header.isMasked)
        #expect(ClosePayload.peekCode(payload) == .internalError)
        #expect(String(decoding: payload.dropFirst(2), as: UTF8.self) == "Internal error")
    }

    @Test func severalFramesInOneReadAreAllFound() {
        let bytes =
            FrameHeader(opcode: .text, payloadLength: 0).frame(payload: Array("hi".utf8))
            + FrameHeader(opcode: .ping, payloadLength: 0).frame(payload: [])
            + FrameHeader(opcode: .binary, maskKey: MaskingKey(9, 9, 9, 9), payloadLength: 0).frame(
                payload: Array(repeating: 1, count: 70_000))
        var tracker = FrameBoundaryTracker()
        var opcodes: [FrameOpcode] = []
        bytes.withUnsafeBytes { tracker.consume($0) { if case .header(let h, _) = $0 { opcodes.append(h.opcode) } } }
        #expect(opcodes == [FrameOpcode.text, FrameOpcode.ping, FrameOpcode.binary])
        #expect(tracker.isAtFrameBoundary)
        #expect(tracker.framesSeen == 3)
    }

    @Test func encodeRoundTripsThroughTheTracker() {
        let header = FrameHeader(fin: false, rsv: 2, opcode: FrameOpcode.text, maskKey: MaskingKey(5, 6, 7, 8), payloadLength: 1 << 33)
        let got = events([header.encode()])
        if case .header(let decoded, _) = got.first { #expect(decoded == header) } else { Issue.record("no header") }
    }

    @Test func headersTheCodecRefusesAreStillFollowedToTheNextFrame() {
        // A pass-through forwards what the peers wrote: a length not in its shortest form (built by hand, the codec
        // never writes one) and a 64-bit length with its top bit set still have boundaries to follow.
        let nonMinimal: [UInt8] = [0x81, 0x7E, 0x00, 0x02] + Array("hi".utf8)
        let next = FrameHeader(opcode: .ping, payloadLength: 0).frame(payload: [7])
        let got = events([nonMinimal + next])
        let headers = got.compactMap { event -> FrameHeader? in if case .header(let h, _) = event { h } else { nil } }
        #expect(headers == [FrameHeader(opcode: .text, payloadLength: 2), FrameHeader(opcode: .ping, payloadLength: 1)])
        let highBit: [UInt8] = [0x82, 0x7F, 0x80, 0, 0, 0, 0, 0, 0, 3, 1, 2, 3]
        let ends = events([highBit + next]).filter { if case .frameEnd = $0 { true } else { false } }
        #expect(ends.count == 2, "the top bit is dropped: a 3-byte frame, then the ping")
    }

    @Test func everyCutOfAStreamFindsTheSameFramesAsOneRead() {
        // Headers read where they lie (whole in a read) and headers gathered across reads must agree: each
        // stream is cut once at every position, and the headers, payload bytes and frame ends are compared.
        let stream =
            FrameHeader(opcode: .text, maskKey: MaskingKey(1, 2, 3, 4), payloadLength: 0).frame(payload: Array(repeating: 5, count: 300))
            + FrameHeader(opcode: .ping, payloadLength: 0).frame(payload: [1, 2, 3])
            + FrameHeader(fin: false, opcode: .binary, payloadLength: 0).frame(payload: Array(repeating: 6, count: 70_000))
            + FrameHeader(opcode: .close, maskKey: MaskingKey(9, 8, 7, 6), payloadLength: 0).frame(payload: [0x03, 0xF3, 0x61])
        func summary(_ events: [FrameBoundaryTracker.Event]) -> (headers: [FrameHeader], payload: Int, ends: [String]) {
            var headers: [FrameHeader] = []
            var payload = 0
            var ends: [String] = []
            for event in events {
                switch event {
                case .header(let h, _): headers.append(h)
                case .payload(let range): payload += range.count
                case .frameEnd(let h, let control): ends.append("\(h.opcode.name) \(control.map { "\($0)" } ?? "-")")
                }
            }
            return (headers, payload, ends)
        }
        let whole = summary(events([stream]))
        #expect(whole.headers.count == 4)
        #expect(whole.ends.last == "close [3, 243, 97]")
        for cut in [1, 2, 3, 5, 7, 8, 9, 305, 306, 307, 310, 311, 312, 314, 318, 70_315, 70_325, stream.count - 3, stream.count - 1] {
            let parts = summary(events([Array(stream[..<cut]), Array(stream[cut...])]))
            #expect(parts.headers == whole.headers, "cut at \(cut)")
            #expect(parts.payload == whole.payload, "cut at \(cut)")
            #expect(parts.ends == whole.ends, "cut at \(cut)")
        }
    }

    @Test func garbageNeverTraps() {
        var tracker = FrameBoundaryTracker()
        for seed in 0..<200 {
            var generator = SystemRandomNumberGenerator()
            let bytes = (0..<(seed % 40)).map { _ in UInt8.random(in: 0...255, using: &generator) }
            bytes.withUnsafeBytes { tracker.consume($0) { _ in } }
        }
        #expect(tracker.framesSeen >= 1)
    }
}
