import NIOCore
import NIOHTTP2
import NIOSSL
import NIOTLS

extension FaultProxy {
    /// The SETTINGS of the HTTP/2 front: NIO's defaults plus `SETTINGS_ENABLE_CONNECT_PROTOCOL = 1` (RFC 8441
    /// §3), the setting that makes Chrome and Firefox open their WebSockets over HTTP/2.
    static let http2Settings: HTTP2Settings = [
        HTTP2Setting(parameter: .maxConcurrentStreams, value: 100),
        HTTP2Setting(parameter: .maxHeaderListSize, value: 1 << 16),
        HTTP2Setting(parameter: .enableConnectProtocol, value: 1),
    ]

    /// Sets up an accepted connection of a proxy that serves HTTP/2 (``ProxyConfiguration/http2``): TLS, then by
    /// ALPN either HTTP/2 (the extended CONNECT bridged by ``HTTP2FrontStreamHandler``) or exactly the
    /// HTTP/1.1 proxy. A client that does not finish its TLS handshake within the request-head bound
    /// (``ProxyConfiguration/requestHeadTimeout``, else the upstream response timeout) is closed.
    static func configureNegotiatedFront(_ channel: Channel, proxy: FaultProxy, tls: NIOSSLContext) throws {
        let sync = channel.pipeline.syncOperations
        try sync.addHandler(NIOSSLServerHandler(context: tls))
        let deadline = channel.eventLoop.scheduleTask(in: TimeAmount(proxy.configuration.clientHeadTimeout)) {
            channel.close(promise: nil)
        }
        try sync.addHandler(
            ApplicationProtocolNegotiationHandler { result, channel in
                deadline.cancel()
                return channel.eventLoop.makeCompletedFuture {
                    if case .negotiated("h2") = result {
                        try configureHTTP2(channel, proxy: proxy)
                    } else {
                        let connection = ProxyConnection(proxy: proxy, eventLoop: channel.eventLoop)
                        let handler = ProxySideHandler(side: .client, connection: connection)
                        try channel.pipeline.syncOperations.addHandler(handler)
                        // The channel is already active: the handler's `channelActive` will not come.
                        connection.clientConnected(handler: handler, channel: channel)
                    }
                }
            })
    }

    private static func configureHTTP2(_ channel: Channel, proxy: FaultProxy) throws {
        var connection = NIOHTTP2Handler.ConnectionConfiguration()
        connection.initialSettings = http2Settings
        // A connection with no stream open — no preface yet, or idle after its streams — does not stay forever:
        // GOAWAY and close after the request-head bound, as an HTTP/1.1 client that sends no request head.
        let manager = NIOHTTP2ServerConnectionManagementHandler(
            eventLoop: channel.eventLoop,
            configuration: .init(
                maxIdleTime: TimeAmount(proxy.configuration.clientHeadTimeout), maxAge: nil,
                maxGraceTime: TimeAmount(proxy.configuration.answerTimeout), keepalive: nil))
        let sync = channel.pipeline.syncOperations
        _ = try sync.configureHTTP2Pipeline(
            mode: .server, connectionConfiguration: connection, streamConfiguration: .init(), streamDelegate: manager.http2StreamDelegate
        ) { stream in
            stream.eventLoop.makeCompletedFuture {
                try stream.pipeline.syncOperations.addHandler(HTTP2FrontStreamHandler(proxy: proxy))
            }
        }
        try sync.addHandler(manager)
        proxy.http2Connections.track(channel)
    }

    /// The `h2-connect-broken` behaviour for one extended CONNECT, rolled with each such fault's probability;
    /// nil when none applies.
    func rollHTTP2ConnectFailure() -> HTTP2ConnectFailure? {
        for configured in currentFaults {
            guard let fault = configured.fault as? any HTTP2ConnectFault, configured.roll() else { continue }
            return fault.connectFailure
        }
        return nil
    }
}
