import NIOCore
import NIOPosix
import Synchronization
import Testing
import WebSocketWire

@testable import WebSocketLab

@Suite("Fault proxy back-pressure")
struct ProxyBackPressureTests {
    /// A sender faster than a fault lets bytes through is held back by TCP, not buffered in the proxy.
    @Test func aStalledDirectionStopsTheSenderInsteadOfGrowingMemory() async throws {
        let h = try await ProxyHarness.start(faults: ["latency:delay=5s,direction=upstream"]) { $0.maxQueuedBytes = 64 * 1024 }
        let collector = ProxyTestHTTP.Collector()
        let channel = try await ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .channelInitializer { channel in
                channel.eventLoop.makeCompletedFuture { try channel.pipeline.syncOperations.addHandler(collector) }
            }
            .connect(host: "127.0.0.1", port: h.proxy.port).get()
        let upgrade =
            "GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
            + "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n"
        try await channel.writeAndFlush(channel.allocator.buffer(string: upgrade))
        let deadline = ContinuousClock.now + .seconds(2)
        while !collector.text.contains("\r\n\r\n"), ContinuousClock.now < deadline { try await Task.sleep(for: .milliseconds(5)) }
        #expect(collector.text.hasPrefix("HTTP/1.1 101"))

        let frame = FrameHeader(opcode: .binary, maskKey: MaskingKey(1, 2, 3, 4), payloadLength: 0).frame(
            payload: Array(repeating: 0x42, count: 60_000))
        let written = Atomic<Int>(0)
        let stop = ContinuousClock.now + .milliseconds(800)
        var offered = 0
        while ContinuousClock.now < stop {
            if channel.isWritable, offered < 512 << 20 {
                offered += frame.count
                channel.writeAndFlush(channel.allocator.buffer(bytes: frame)).whenSuccess { _ in
                    written.add(frame.count, ordering: .relaxed)
                }
            } else {
                try await Task.sleep(for: .milliseconds(2))
            }
        }
        let sent = written.load(ordering: .relaxed)
        // Only the proxy's 64 KiB queue plus the kernel's socket buffers may fill: far below what
        // loopback carries in 0.8 s without back-pressure (hundreds of MiB).
        #expect(sent > 0)
        #expect(sent < 48 << 20, "the sender pushed \(sent >> 20) MiB into a stalled proxy")
        try? await channel.close()
        await h.stop()
    }
}
