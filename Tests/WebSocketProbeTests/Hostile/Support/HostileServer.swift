import NIOCore
import NIOPosix
import NIOSSL

/// A TCP server on 127.0.0.1 (port 0) that runs a misbehaving script for every connection it accepts.
///
/// Every script runs under a bound (default 10 s) in its own task, started as the connection is accepted (see
/// ``ConnectionTasks``), and is cancelled by ``stop()``; the connection is closed when the script returns or
/// throws, so a test never waits on the server.
final class HostileServer: Sendable {
    /// The port to connect to.
    let port: Int
    private let listener: any Channel
    private let connections: ConnectionTasks

    private init(listener: any Channel, connections: ConnectionTasks) {
        self.listener = listener
        self.connections = connections
        self.port = listener.localAddress?.port ?? 0
    }

    /// Starts a server running `script` for each connection, each bounded by `scriptBound`.
    /// With `tls`, the server speaks TLS (the script then sees and writes plaintext).
    static func start(
        tls: NIOSSLContext? = nil, scriptBound: Duration = .seconds(10), _ script: @escaping @Sendable (HostilePeer) async throws -> Void
    ) async throws -> HostileServer {
        let connections = ConnectionTasks()
        let listener = try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .childChannelInitializer { child in
                child.eventLoop.makeCompletedFuture {
                    if let tls { try child.pipeline.syncOperations.addHandler(NIOSSLServerHandler(context: tls)) }
                    let connection = try NIOAsyncChannel<ByteBuffer, ByteBuffer>(wrappingChannelSynchronously: child)
                    connections.start(connection) { input, output in
                        let peer = HostilePeer(channel: child, input: input, output: output)
                        try? await hostileRace(scriptBound) { try await script(peer) }
                    }
                }
            }
            .bind(host: "127.0.0.1", port: 0).get()
        return HostileServer(listener: listener, connections: connections)
    }

    /// Stops listening, cancels every script and closes every connection.
    func stop() async {
        try? await listener.close()
        await connections.stopAll()
    }
}

/// Runs `body`, cancelling it after `bound`.
func hostileRace(_ bound: Duration, _ body: @escaping @Sendable () async throws -> Void) async throws {
    try await withThrowingTaskGroup(of: Void.self) { group in
        group.addTask { try await body() }
        group.addTask { try await Task.sleep(for: bound) }
        _ = try await group.next()
        group.cancelAll()
    }
}
