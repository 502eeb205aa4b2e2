import NIOCore
import NIOHTTP1
import NIOPosix
import NIOWebSocket

/// The application under test: a chat server at `/chat`. It needs `Authorization: Bearer <token>` with the
/// token it was given, answers `{"type":"say","text":…}` with `{"type":"said","text":…}`, and — its bug —
/// closes 1011 "Internal error" when the text is `crash`.
public final class EchoChatServer: Sendable {
    /// The port it listens on (127.0.0.1).
    public let port: Int
    private let channel: any Channel

    private init(channel: any Channel) {
        self.channel = channel
        self.port = channel.localAddress?.port ?? 0
    }

    /// Starts the server on 127.0.0.1 and a free port, accepting `token`.
    public static func start(token: String) async throws -> EchoChatServer {
        let channel = try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .childChannelInitializer { channel in
                let upgrader = NIOWebSocketServerUpgrader(
                    shouldUpgrade: { channel, head in
                        let allowed = head.uri == "/chat" && head.headers.first(name: "Authorization") == "Bearer \(token)"
                        return channel.eventLoop.makeSucceededFuture(allowed ? HTTPHeaders() : nil)
                    },
                    upgradePipelineHandler: { channel, _ in channel.pipeline.addHandler(ChatHandler()) })
                // A request that is not upgraded (wrong path, no token) gets 403; once upgraded, the
                // refusal handler leaves the pipeline.
                let refuse = RefuseHandler()
                return channel.pipeline.configureHTTPServerPipeline(
                    withServerUpgrade: (
                        upgraders: [upgrader],
                        completionHandler: { context in
                            context.pipeline.syncOperations.removeHandler(refuse, promise: nil)
                        }
                    )
                ).flatMapThrowing { try channel.pipeline.syncOperations.addHandler(refuse) }
            }
            .bind(host: "127.0.0.1", port: 0).get()
        return EchoChatServer(channel: channel)
    }

    /// Stops listening.
    public func stop() async {
        try? await channel.close()
    }
}

/// One chat connection: answers `say`, crashes on `crash`, answers pings.
final class ChatHandler: ChannelInboundHandler, Sendable {
    typealias InboundIn = WebSocketFrame
    typealias OutboundOut = WebSocketFrame

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        var frame = unwrapInboundIn(data)
        switch frame.opcode {
        case .ping:
            let pong = WebSocketFrame(fin: true, opcode: .pong, data: frame.unmaskedData)
            context.writeAndFlush(wrapOutboundOut(pong), promise: nil)
        case .connectionClose:
            var data = context.channel.allocator.buffer(capacity: 2)
            data.write(webSocketErrorCode: .normalClosure)
            let close = WebSocketFrame(fin: true, opcode: .connectionClose, data: data)
            context.writeAndFlush(wrapOutboundOut(close)).whenComplete { _ in context.close(promise: nil) }
        case .text:
            var payload = frame.unmaskedData
            let text = payload.readString(length: payload.readableBytes) ?? ""
            if text.contains("\"crash\"") {
                var data = context.channel.allocator.buffer(capacity: 16)
                data.write(webSocketErrorCode: .unexpectedServerError)
                data.writeString("Internal error")
                let close = WebSocketFrame(fin: true, opcode: .connectionClose, data: data)
                context.writeAndFlush(wrapOutboundOut(close)).whenComplete { _ in context.close(promise: nil) }
                return
            }
            let said = text.replacing("\"say\"", with: "\"said\"")
            let reply = WebSocketFrame(fin: true, opcode: .text, data: context.channel.allocator.buffer(string: said))
            context.writeAndFlush(wrapOutboundOut(reply), promise: nil)
        default:
            break
        }
        _ = frame
    }
}

/// Answers 403 to any plain HTTP request (one that was not upgraded), then closes.
final class RefuseHandler: ChannelInboundHandler, RemovableChannelHandler, Sendable {
    typealias InboundIn = HTTPServerRequestPart
    typealias OutboundOut = HTTPServerResponsePart

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        guard case .end = unwrapInboundIn(data) else { return }
        var headers = HTTPHeaders()
        headers.add(name: "Content-Length", value: "0")
        headers.add(name: "Connection", value: "close")
        context.write(wrapOutboundOut(.head(HTTPResponseHead(version: .http1_1, status: .forbidden, headers: headers))), promise: nil)
        context.writeAndFlush(wrapOutboundOut(.end(nil))).whenComplete { _ in context.close(promise: nil) }
    }
}
