import Foundation
import NIOCore
import NIOPosix
import NIOSSL
import WebSocketProbe

/// A loopback TCP server (port 0) that runs a script per accepted connection: the script reads and
/// writes raw bytes, so a test can answer the upgrade however it wants and then send anything.
final class ClientTestServer: Sendable {
    typealias Script = @Sendable (ClientTestPeer) async throws -> Void

    let port: Int
    let host: String
    private let serverChannel: any Channel
    private let connections: ConnectionTasks

    /// Starts listening on `host` (default 127.0.0.1), port 0; wraps accepted connections in TLS when `tls` is given.
    ///
    /// Each accepted connection runs `script` in its own task, started as it is accepted (see ``ConnectionTasks``),
    /// and is closed after 15 s whatever the script does — a guard against a hang, not a timing.
    static func start(host: String = "127.0.0.1", tls: NIOSSLContext? = nil, script: @escaping Script) async throws -> ClientTestServer {
        let connections = ConnectionTasks()
        let server = try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .childChannelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    if let tls {
                        try channel.pipeline.syncOperations.addHandler(NIOSSLServerHandler(context: tls))
                    }
                    let connection = try NIOAsyncChannel<ByteBuffer, ByteBuffer>(wrappingChannelSynchronously: channel)
                    let bound = channel.eventLoop.scheduleTask(in: .seconds(15)) { channel.close(promise: nil) }
                    channel.closeFuture.whenComplete { _ in bound.cancel() }
                    connections.start(connection) { input, output in
                        let peer = ClientTestPeer(channel: channel, input: input, output: output)
                        try? await script(peer)
                    }
                }
            }
            .bind(host: host, port: 0).get()
        return ClientTestServer(port: server.localAddress?.port ?? 0, host: host, serverChannel: server, connections: connections)
    }

    private init(port: Int, host: String, serverChannel: any Channel, connections: ConnectionTasks) {
        self.port = port
        self.host = host
        self.serverChannel = serverChannel
        self.connections = connections
    }

    /// `ws://127.0.0.1:PORT/path`.
    func url(_ path: String = "/ws", scheme: String = "ws") throws -> WebSocketURL {
        let h = host.contains(":") ? "[\(host)]" : host
        return try WebSocketURL(parsing: "\(scheme)://\(h):\(port)\(path)")
    }

    /// Stops listening, cancels every script and closes its connection.
    func stop() async {
        try? await serverChannel.close()
        await connections.stopAll()
    }
}

/// Runs `body`, throwing `CancellationError` if it takes longer than `timeout`.
func withTimeout<T: Sendable>(_ timeout: Duration, _ body: @escaping @Sendable () async throws -> T) async throws -> T {
    try await withThrowingTaskGroup(of: T.self) { group in
        group.addTask { try await body() }
        group.addTask {
            try await Task.sleep(for: timeout)
            throw CancellationError()
        }
        guard let first = try await group.next() else { throw CancellationError() }
        group.cancelAll()
        return first
    }
}
