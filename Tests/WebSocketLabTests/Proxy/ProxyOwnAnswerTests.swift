import NIOCore
import NIOPosix
import Testing

@testable import WebSocketLab

/// The proxy's own answers once the upstream is connected: a 502 for a response head it cannot use and a 504
/// for an upstream that does not answer reach the client before the connection closes.
@Suite("Fault proxy answers of its own")
struct ProxyOwnAnswerTests {
    /// An upstream on loopback that reads the request head and then sends `reply` (nothing when nil) and
    /// keeps the connection open.
    final class ScriptedUpstream: ChannelInboundHandler, Sendable {
        typealias InboundIn = ByteBuffer
        typealias OutboundOut = ByteBuffer
        let reply: String?
        init(reply: String?) { self.reply = reply }
        func channelRead(context: ChannelHandlerContext, data: NIOAny) {
            guard let reply else { return }
            context.writeAndFlush(wrapOutboundOut(context.channel.allocator.buffer(string: reply)), promise: nil)
        }

        static func start(reply: String?) async throws -> Channel {
            try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
                .serverChannelOption(ChannelOptions.socketOption(.so_reuseaddr), value: 1)
                .childChannelInitializer { channel in
                    channel.eventLoop.makeCompletedFuture { try channel.pipeline.syncOperations.addHandler(ScriptedUpstream(reply: reply)) }
                }
                .bind(host: "127.0.0.1", port: 0).get()
        }
    }

    static let upgrade =
        "GET /ws HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Version: 13\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n\r\n"

    @Test func malformedUpstreamResponseHeadIsA502ToTheClient() async throws {
        let upstream = try await ScriptedUpstream.start(reply: "this is not HTTP\r\n\r\n")
        let proxy = try await FaultProxy.start(
            ProxyConfiguration(upstreams: [ProxyUpstream(host: "127.0.0.1", port: upstream.localAddress!.port!)]))
        let text = try await ProxyTestHTTP.exchange(port: proxy.port, Self.upgrade, timeout: .seconds(10))
        #expect(text.hasPrefix("HTTP/1.1 502"))
        #expect(text.contains("malformed upstream response head"))
        await proxy.shutdown()
        try? await upstream.close()
    }

    @Test func silentUpstreamIsA504ToTheClient() async throws {
        let upstream = try await ScriptedUpstream.start(reply: nil)
        var configuration = ProxyConfiguration(upstreams: [ProxyUpstream(host: "127.0.0.1", port: upstream.localAddress!.port!)])
        // Also the bound on the request head: long enough for a loaded machine to send it, short for the 504.
        configuration.upstreamResponseTimeout = .seconds(2)
        let proxy = try await FaultProxy.start(configuration)
        let text = try await ProxyTestHTTP.exchange(port: proxy.port, Self.upgrade, timeout: .seconds(10))
        #expect(text.hasPrefix("HTTP/1.1 504"))
        await proxy.shutdown()
        try? await upstream.close()
    }
}
