import Dispatch
import NIOCore
import NIOPosix
import Testing
import WebSocketDiagnosis

@testable import WebSocketProbe

@Suite("WebSocket client: a reset that a write meets first")
struct WebSocketClientResetOnWriteTests {
    /// On a busy machine the client's loop can be late to read: the peer's RST is then handed by the kernel to
    /// the next call on the socket, our ping's write, and NIO closes the channel with that write's error and
    /// never fires `errorCaught`; the read after it sees only the end of the stream. The end is still a reset.
    /// The test makes that order certain: it holds the client's loop until the peer has reset, then writes on it.
    @Test func aResetMetByAWriteBeforeAnyReadIsRecordedAsAReset() async throws {
        let loopHeld = DispatchSemaphore(value: 0)
        let resetDone = DispatchSemaphore(value: 0)
        let server = try await ClientTestServer.start { peer in
            try await peer.acceptUpgrade()
            // Bounded: 10 s at most for the test to hold the client's loop.
            var polls = 0
            while loopHeld.wait(timeout: .now()) == .timedOut, polls < 2000 {
                polls += 1
                try await Task.sleep(for: .milliseconds(5))
            }
            await peer.reset()
            resetDone.signal()
        }
        defer { Task { await server.stop() } }
        // The client on a loop of its own, never the server's.
        let group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        let connection = await WebSocketConnection.connect(.forTest(try server.url()), eventLoopGroup: group)
        #expect(await connection.isOpen)
        let channel = try #require(await connection.channel)
        try await channel.eventLoop.submit {
            loopHeld.signal()
            _ = resetDone.wait(timeout: .now() + 10)
            // The RST crosses loopback while the loop is still held.
            usleep(50_000)
            // A masked, empty ping: the write that meets the reset.
            channel.writeAndFlush(channel.allocator.buffer(bytes: [0x89, 0x80, 0, 0, 0, 0]), promise: nil)
        }.get()
        let observation = await connection.waitForEnd(timeout: .seconds(5))
        #expect(observation?.transportEnd == .reset, "\(String(describing: observation))")
        #expect(observation?.received == nil)
        #expect(await connection.transcript().failure?.kind == "reset")
        try await group.shutdownGracefully()
    }
}
