import NIOCore
import Testing
import WebSocketDiagnosis
import WebSocketWire

@testable import WebSocketProbe

/// The fast paths (word-wise masking, one-copy encoding, zero-copy parsing, the bounded frame log)
/// give the same bytes and the same records as the plain definitions.
@Suite("WebSocket client: fast paths keep the wire and the record exact")
struct WebSocketClientFastPathTests {
    @Test(
        "Word-wise masking matches byte-wise masking for every length and key",
        arguments: [0, 1, 3, 7, 8, 9, 15, 16, 125, 126, 1000, 65_536, 65_541])
    func maskingMatchesTheDefinition(length: Int) {
        let payload = (0..<length).map { UInt8(truncatingIfNeeded: $0 &* 31 &+ 7) }
        let key = MaskingKey(0x12, 0xA4, 0x00, 0xFF)
        let keyBytes = [UInt8(0x12), 0xA4, 0x00, 0xFF]
        let bytes = WebSocketFrame(opcode: .binary, payload: payload).encoded(maskKey: key)
        let headerLength = bytes.count - length
        #expect(Array(bytes[(headerLength - 4)..<headerLength]) == keyBytes)
        let expected = payload.enumerated().map { $0.element ^ keyBytes[$0.offset & 3] }
        #expect(Array(bytes[headerLength...]) == expected)
    }

    @Test("A frame encoded into a buffer parses back from that buffer, split anywhere")
    func encodedBufferRoundTrips() {
        let payload = (0..<70_000).map { UInt8(truncatingIfNeeded: $0) }
        var buffer = ByteBuffer()
        payload.withUnsafeBytes { WebSocketFrame.encode(opcode: .binary, payload: $0, maskKey: nil, into: &buffer) }
        var parser = FrameParser(maxFrameBytes: 1 << 20)
        let split = 1_000
        parser.append(buffer: buffer.getSlice(at: 0, length: split)!)
        #expect(parser.next() == nil)
        parser.append(buffer: buffer.getSlice(at: split, length: buffer.readableBytes - split)!)
        #expect(parser.next() == .frame(WebSocketFrame(opcode: .binary, payload: payload)))
        #expect(parser.bufferedBytes == 0)
    }

    @Test("The frame log keeps the first and the latest frames, counts the rest, and stays bounded")
    func frameLogIsBounded() {
        var log = FrameLog()
        let total = FrameLog.headLimit + FrameLog.tailLimit + 500
        for i in 0..<total {
            let opcode: FrameOpcode = i.isMultiple(of: 2) ? .ping : .binary
            log.append(
                FrameRecord(direction: i.isMultiple(of: 2) ? .inbound : .outbound, opcode: opcode.name, length: 10, atMs: Double(i)),
                opcode: opcode)
        }
        #expect(log.frames.count == FrameLog.headLimit + FrameLog.tailLimit)
        #expect(log.dropped == 500)
        #expect(log.frames.first?.atMs == 0)
        #expect(log.frames.last?.atMs == Double(total - 1))
        #expect(log.frames[FrameLog.headLimit].atMs == Double(FrameLog.headLimit + 500))
        var transcript = ConnectionTranscript(target: TargetDescription(url: "ws://x/", scheme: "ws", host: "x", port: 80, resource: "/"))
        log.fill(&transcript)
        #expect(transcript.framesDropped == 500)
        #expect(transcript.frameTotals?.reduce(0) { $0 + $1.count } == total)
        #expect(transcript.frameTotals?.first { $0.direction == .inbound && $0.opcode == "ping" }?.payloadBytes == 10 * ((total + 1) / 2))
    }

    @Test("A short session lists every frame and adds no summary fields")
    func shortSessionIsComplete() {
        var log = FrameLog()
        log.append(FrameRecord(direction: .outbound, opcode: "text", length: 3, atMs: 1), opcode: .text)
        var transcript = ConnectionTranscript(target: TargetDescription(url: "ws://x/", scheme: "ws", host: "x", port: 80, resource: "/"))
        log.fill(&transcript)
        #expect(transcript.frames.count == 1)
        #expect(transcript.framesDropped == nil)
        #expect(transcript.frameTotals == nil)
    }

    @Test("The hex preview reads like the upgrade parser's hex")
    func hexPreviewMatches() {
        let bytes: [UInt8] = [0x00, 0x0F, 0x10, 0xAB, 0xFF]
        #expect(WebSocketConnection.hexPreview(bytes) == UpgradeResponseParser.hex(bytes))
    }
}
