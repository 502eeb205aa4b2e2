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
    private let acceptTask: Task<Void, Never>

    /// Starts listening on `host` (default 127.0.0.1), port 0; wraps accepted connections in TLS when `tls` is given.
    static func start(host: String = "127.0.0.1", tls: NIOSSLContext? = nil, script: @escaping Script) async throws -> ClientTestServer {
        let server = try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .bind(host: host, port: 0) { channel in
                channel.eventLoop.makeCompletedFuture {
                    if let tls {
                        try channel.pipeline.syncOperations.addHandler(NIOSSLServerHandler(context: tls))
                    }
                    return try NIOAsyncChannel<ByteBuffer, ByteBuffer>(wrappingChannelSynchronously: channel)
                }
            }
        let port = server.channel.localAddress?.port ?? 0
        let serverChannel = server.channel
        let task = Task {
            _ = try? await withThrowingDiscardingTaskGroup { group in
                try await server.executeThenClose { inbound in
                    for try await connection in inbound {
                        group.addTask {
                            // Bound every script: the connection is closed after 15 s whatever the script does.
                            let channel = connection.channel
                            let guardTask = Task {
                                try? await Task.sleep(for: .seconds(15))
                                channel.close(promise: nil)
                            }
                            _ = try? await connection.executeThenClose { input, output in
                                let peer = ClientTestPeer(channel: channel, input: input, output: output)
                                try? await script(peer)
                            }
                            guardTask.cancel()
                        }
                    }
                }
            }
        }
        _ = serverChannel
        return ClientTestServer(port: port, host: host, serverChannel: server.channel, acceptTask: task)
    }

    private init(port: Int, host: String, serverChannel: any Channel, acceptTask: Task<Void, Never>) {
        self.port = port
        self.host = host
        self.serverChannel = serverChannel
        self.acceptTask = acceptTask
    }

    /// `ws://127.0.0.1:PORT/path`.
    func url(_ path: String = "/ws", scheme: String = "ws") throws -> WebSocketURL {
        let h = host.contains(":") ? "[\(host)]" : host
        return try WebSocketURL(parsing: "\(scheme)://\(h):\(port)\(path)")
    }

    /// Stops listening.
    func stop() async {
        try? await serverChannel.close()
        acceptTask.cancel()
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
