import NIOCore
import NIOPosix
import NIOSSL
import Synchronization

/// A TCP server on 127.0.0.1 (port 0) that runs a misbehaving script for every connection it accepts.
///
/// Every script runs under a bound (default 10 s) and is cancelled by ``stop()``; the connection is closed when
/// the script returns or throws, so a test never waits on the server.
final class HostileServer: Sendable {
    /// The port to connect to.
    let port: Int
    private let listener: NIOAsyncChannel<NIOAsyncChannel<ByteBuffer, ByteBuffer>, Never>
    private let children = Mutex<[any Channel]>([])
    private let task = Mutex<Task<Void, Never>?>(nil)

    private init(listener: NIOAsyncChannel<NIOAsyncChannel<ByteBuffer, ByteBuffer>, Never>) {
        self.listener = listener
        self.port = listener.channel.localAddress?.port ?? 0
    }

    /// Starts a server running `script` for each connection, each bounded by `scriptBound`.
    /// With `tls`, the server speaks TLS (the script then sees and writes plaintext).
    static func start(
        tls: NIOSSLContext? = nil, scriptBound: Duration = .seconds(10), _ script: @escaping @Sendable (HostilePeer) async throws -> Void
    ) async throws -> HostileServer {
        let listener = try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .bind(host: "127.0.0.1", port: 0) { child in
                child.eventLoop.makeCompletedFuture {
                    if let tls { try child.pipeline.syncOperations.addHandler(NIOSSLServerHandler(context: tls)) }
                    return try NIOAsyncChannel<ByteBuffer, ByteBuffer>(wrappingChannelSynchronously: child)
                }
            }
        let server = HostileServer(listener: listener)
        let task = Task<Void, Never> {
            await withDiscardingTaskGroup { group in
                try? await listener.executeThenClose { inbound in
                    for try await connection in inbound {
                        server.children.withLock { $0.append(connection.channel) }
                        group.addTask {
                            try? await connection.executeThenClose { input, output in
                                let peer = HostilePeer(channel: connection.channel, input: input, output: output)
                                try await hostileRace(scriptBound) { try await script(peer) }
                            }
                        }
                    }
                }
            }
        }
        server.task.withLock { $0 = task }
        return server
    }

    /// Stops listening, cancels every script and closes every connection.
    func stop() async {
        let task = self.task.withLock { $0 }
        task?.cancel()
        try? await listener.channel.close()
        for channel in children.withLock({ $0 }) { try? await channel.close() }
        _ = await task?.value
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
