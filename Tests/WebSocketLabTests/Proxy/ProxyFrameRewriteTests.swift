import NIOCore
import NIOPosix
import Testing
import WebSocketWire

@testable import WebSocketLab

/// Frame-level faults on hand-made frames: fragmented messages, control frames in between.
@Suite("Fault proxy frame rewriting")
struct ProxyFrameRewriteTests {
    /// Upgrades a raw connection through the proxy; returns the channel and the byte collector.
    private func rawUpgrade(port: Int) async throws -> (Channel, ProxyTestHTTP.Collector) {
        let collector = ProxyTestHTTP.Collector()
        let channel = try await ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .channelInitializer { channel in
                channel.eventLoop.makeCompletedFuture { try channel.pipeline.syncOperations.addHandler(collector) }
            }
            .connect(host: "127.0.0.1", port: port).get()
        let upgrade =
            "GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
            + "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n"
        try await channel.writeAndFlush(channel.allocator.buffer(string: upgrade))
        let deadline = ContinuousClock.now + .seconds(10)  // a hang guard: the loop ends as soon as the bytes are there
        while !collector.text.contains("\r\n\r\n"), ContinuousClock.now < deadline { try await Task.sleep(for: .milliseconds(5)) }
        return (channel, collector)
    }

    /// Frames (opcode, payload) found after the response head.
    private func frames(in collector: ProxyTestHTTP.Collector) -> [(FrameOpcode, String)] {
        let bytes = collector.raw
        guard let end = (0..<max(bytes.count - 3, 0)).first(where: { bytes[$0..<($0 + 4)] == [13, 10, 13, 10] }) else { return [] }
        let body = Array(bytes[(end + 4)...])
        var tracker = FrameBoundaryTracker()
        var found: [(FrameOpcode, String)] = []
        var payload: [UInt8] = []
        body.withUnsafeBytes { raw in
            tracker.consume(raw) { event in
                switch event {
                case .header: payload = []
                case .payload(let range): payload += body[range]
                case .frameEnd(let header, _): found.append((header.opcode, String(decoding: payload, as: UTF8.self)))
                }
            }
        }
        return found
    }

    @Test func droppedFragmentedMessageTakesItsContinuationsButNotTheInterleavedPing() async throws {
        let h = try await ProxyHarness.start(faults: ["drop-messages:direction=upstream"])
        let (channel, collector) = try await rawUpgrade(port: h.proxy.port)
        #expect(collector.text.hasPrefix("HTTP/1.1 101"))
        let key = MaskingKey(0x11, 0x22, 0x33, 0x44)
        var wire: [UInt8] = []
        wire += FrameHeader(fin: false, opcode: .text, maskKey: key, payloadLength: 0).frame(payload: Array("part-1 ".utf8))
        wire += FrameHeader(opcode: .ping, maskKey: key, payloadLength: 0).frame(payload: Array("are you there".utf8))
        wire += FrameHeader(fin: false, opcode: .continuation, maskKey: key, payloadLength: 0).frame(payload: Array("part-2 ".utf8))
        wire += FrameHeader(fin: true, opcode: .continuation, maskKey: key, payloadLength: 0).frame(payload: Array("part-3".utf8))
        // Send it in awkward pieces so headers straddle reads.
        for start in stride(from: 0, to: wire.count, by: 5) {
            try await channel.writeAndFlush(channel.allocator.buffer(bytes: wire[start..<min(start + 5, wire.count)]))
            try await Task.sleep(for: .milliseconds(1))
        }
        let deadline = ContinuousClock.now + .seconds(10)  // a hang guard: the loop ends as soon as the bytes are there
        while frames(in: collector).isEmpty, ContinuousClock.now < deadline { try await Task.sleep(for: .milliseconds(10)) }
        try await Task.sleep(for: .milliseconds(200))
        let got = frames(in: collector)
        #expect(got.count == 1)
        #expect(got.first?.0 == FrameOpcode.pong)
        #expect(got.first?.1 == "are you there")
        try? await channel.close()
        await h.stop()
    }

    @Test func withoutFaultsTheSameFragmentsAreEchoedIntact() async throws {
        let h = try await ProxyHarness.start()
        let (channel, collector) = try await rawUpgrade(port: h.proxy.port)
        let key = MaskingKey(9, 8, 7, 6)
        var wire: [UInt8] = []
        wire += FrameHeader(fin: false, opcode: .text, maskKey: key, payloadLength: 0).frame(payload: Array("part-1 ".utf8))
        wire += FrameHeader(fin: true, opcode: .continuation, maskKey: key, payloadLength: 0).frame(payload: Array("part-2".utf8))
        try await channel.writeAndFlush(channel.allocator.buffer(bytes: wire))
        let deadline = ContinuousClock.now + .seconds(10)  // a hang guard: the loop ends as soon as the bytes are there
        while frames(in: collector).count < 2, ContinuousClock.now < deadline { try await Task.sleep(for: .milliseconds(10)) }
        let got = frames(in: collector)
        #expect(got.map(\.0) == [FrameOpcode.text, FrameOpcode.continuation])
        #expect(got.map(\.1).joined() == "part-1 part-2")
        try? await channel.close()
        await h.stop()
    }
}
