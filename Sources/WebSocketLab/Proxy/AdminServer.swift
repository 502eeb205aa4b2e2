import NIOCore
import NIOHTTP1
import NIOPosix

/// The proxy's admin HTTP API (JSON), bound on loopback by default:
/// - `GET /faults` → `[{"name","parameters","spec"}]`
/// - `POST /faults` with JSON `{"name","parameters"}` or a JSON string `"idle-timeout:after=2s"` → 201 and the list
/// - `DELETE /faults/NAME` → 204, or 404 when no such fault is installed
/// - `POST /reset` → removes every fault, 204
/// - `GET /metrics` → Prometheus text format
///
/// Every request passes ``AdminRequestPolicy`` first: Host must name this listener, an Origin must be its own,
/// and changes need `Content-Type: application/json` or, when `token` is set, `Authorization: Bearer TOKEN`.
enum AdminServer {
    static func bind(host: String, port: Int, token: String?, proxy: FaultProxy, group: any EventLoopGroup) async throws -> Channel {
        let machineName = ListenHost.machineName()
        return try await ServerBootstrap(group: group)
            .serverChannelOption(ChannelOptions.socketOption(.so_reuseaddr), value: 1)
            .childChannelInitializer { [weak proxy] channel in
                channel.eventLoop.makeCompletedFuture {
                    guard let proxy else { throw ProxyError("proxy stopped") }
                    try channel.pipeline.syncOperations.configureHTTPServerPipeline(withErrorHandling: true)
                    // The bound port (the configured one may be 0): Host and Origin must name it.
                    let policy = AdminRequestPolicy(
                        listenHost: host, port: channel.localAddress?.port ?? port, token: token, machineName: machineName)
                    try channel.pipeline.syncOperations.addHandler(AdminHTTPHandler(proxy: proxy, policy: policy))
                }
            }
            .bind(host: host, port: port).get()
    }
}
