import NIOCore
import NIOPosix

/// Loopback helpers: a free port, and waiting until something listens.
enum Loopback {
    static let host = "127.0.0.1"

    /// A port that was free a moment ago (bound to port 0, read back, released).
    static func freePort(group: any EventLoopGroup) async throws -> Int {
        let channel = try await ServerBootstrap(group: group).bind(host: host, port: 0).get()
        let port = channel.localAddress?.port ?? 0
        try await channel.close()
        guard port > 0 else { throw LoadError("could not find a free loopback port") }
        return port
    }

    /// Waits (bounded) until a TCP connect to `port` succeeds.
    static func waitForListener(port: Int, within limit: Duration, group: any EventLoopGroup) async throws {
        let deadline = ContinuousClock.now + limit
        while ContinuousClock.now < deadline {
            if let channel = try? await ClientBootstrap(group: group).connectTimeout(.milliseconds(500)).connect(host: host, port: port)
                .get()
            {
                try? await channel.close()
                return
            }
            try await Task.sleep(for: .milliseconds(50))
        }
        throw LoadError("nothing listens on \(host):\(port) after \(limit)")
    }
}
