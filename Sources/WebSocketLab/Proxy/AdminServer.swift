import NIOCore
import NIOHTTP1
import NIOPosix

/// The proxy's admin HTTP API (JSON), bound on loopback by default:
/// - `GET /faults` → `[{"name","parameters","spec"}]`
/// - `POST /faults` with a spec string (`idle-timeout:after=2s`) or JSON `{"name","parameters"}` → 201 and the list
/// - `DELETE /faults/NAME` → 204, or 404 when no such fault is installed
/// - `POST /reset` → removes every fault, 204
/// - `GET /metrics` → Prometheus text format
enum AdminServer {
    static func bind(host: String, port: Int, proxy: FaultProxy, group: any EventLoopGroup) async throws -> Channel {
        try await ServerBootstrap(group: group)
            .serverChannelOption(ChannelOptions.socketOption(.so_reuseaddr), value: 1)
            .childChannelInitializer { [weak proxy] channel in
                channel.eventLoop.makeCompletedFuture {
                    guard let proxy else { throw ProxyError("proxy stopped") }
                    try channel.pipeline.syncOperations.configureHTTPServerPipeline(withErrorHandling: true)
                    try channel.pipeline.syncOperations.addHandler(AdminHTTPHandler(proxy: proxy))
                }
            }
            .bind(host: host, port: port).get()
    }
}
