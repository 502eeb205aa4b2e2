import NIOCore
import NIOHTTP1
import NIOPosix
import NIOWebSocket

/// A minimal WebSocket echo server on loopback: the upstream for proxy tests and benchmarks.
///
/// Echoes text and binary frames, answers pings, answers a close with the same code, echoes the
/// first offered subprotocol (unless told not to), and answers plain HTTP: `GET /health` → 200,
/// `GET /headers` → 200 with the request headers it received, anything else → 426 Upgrade Required (what Python `websockets` and node `ws` answer when the
/// upgrade headers were lost). Every 101 and HTTP answer carries `X-Echo-Instance: name`.
public final class EchoServer: Sendable {
    /// Settings of an echo server.
    public struct Configuration: Sendable {
        /// Name reported in `X-Echo-Instance` (default `echo`).
        public var name: String = "echo"
        /// Echo the first offered subprotocol (default true).
        public var echoSubprotocol: Bool = true
        /// Largest frame accepted (default 16 MiB).
        public var maxFrameSize: Int = 1 << 24
        /// Creates the default configuration.
        public init(name: String = "echo", echoSubprotocol: Bool = true) {
            self.name = name
            self.echoSubprotocol = echoSubprotocol
        }
    }

    private let channel: Channel
    private let children: ChildChannelTracker
    /// The bound port.
    public let port: Int
    /// The bound host.
    public let host: String

    /// `ws://host:port/`.
    public var url: String { "ws://\(host.contains(":") ? "[\(host)]" : host):\(port)/" }

    private init(channel: Channel, host: String, port: Int, children: ChildChannelTracker) {
        self.channel = channel
        self.children = children
        self.host = host
        self.port = port
    }

    /// Starts an echo server.
    /// - Parameters:
    ///   - host: default `127.0.0.1`.
    ///   - port: default 0 (a free port; read it back from `port`).
    ///   - configuration: name, subprotocol echo, frame bound.
    ///   - eventLoopGroup: default `MultiThreadedEventLoopGroup.singleton`.
    public static func start(
        host: String = "127.0.0.1", port: Int = 0, configuration: Configuration = .init(), eventLoopGroup: (any EventLoopGroup)? = nil
    ) async throws -> EchoServer {
        let group = eventLoopGroup ?? MultiThreadedEventLoopGroup.singleton
        let name = configuration.name
        let echoSubprotocol = configuration.echoSubprotocol
        let upgrader = NIOWebSocketServerUpgrader(
            maxFrameSize: configuration.maxFrameSize,
            shouldUpgrade: { channel, head in
                var headers = HTTPHeaders()
                headers.add(name: "X-Echo-Instance", value: name)
                if echoSubprotocol,
                    let first = head.headers["Sec-WebSocket-Protocol"].flatMap({ $0.split(separator: ",") }).first
                {
                    headers.add(name: "Sec-WebSocket-Protocol", value: first.trimmingCharacters(in: .whitespaces))
                }
                return channel.eventLoop.makeSucceededFuture(headers)
            },
            upgradePipelineHandler: { channel, _ in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addHandler(EchoWebSocketHandler())
                }
            })
        let children = ChildChannelTracker()
        let bootstrap = ServerBootstrap(group: group)
            .serverChannelOption(ChannelOptions.backlog, value: 256)
            .serverChannelOption(ChannelOptions.socketOption(.so_reuseaddr), value: 1)
            .childChannelOption(ChannelOptions.socketOption(.tcp_nodelay), value: 1)
            .childChannelInitializer { channel in
                children.track(channel)
                return channel.eventLoop.makeCompletedFuture {
                    let http = EchoHTTPHandler(name: name)
                    try channel.pipeline.syncOperations.configureHTTPServerPipeline(
                        withServerUpgrade: (
                            upgraders: [upgrader],
                            completionHandler: { context in
                                _ = context.pipeline.removeHandler(name: "echo-http")
                            }
                        ))
                    try channel.pipeline.syncOperations.addHandler(http, name: "echo-http")
                }
            }
        let channel = try await bootstrap.bind(host: host, port: port).get()
        return EchoServer(channel: channel, host: host, port: channel.localAddress?.port ?? port, children: children)
    }

    /// Stops listening and closes every accepted connection.
    public func shutdown() async {
        try? await channel.close()
        await children.closeAll()
    }
}
