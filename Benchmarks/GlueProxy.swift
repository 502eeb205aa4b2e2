import Foundation
import NIOCore
import NIOPosix

/// The floor of benchmark 1: a bare SwiftNIO TCP forwarder with no proxy logic at all — a pair of
/// glue handlers per connection, as in swift-nio-examples' connect-proxy (each read written to the
/// partner channel, flushed at the end of the read batch, reads held while the partner is unwritable).
/// It runs as its own process (`ws1011-bench glue-proxy UPSTREAM-PORT THREADS`, started by the benchmark
/// itself) so that its CPU is read from /proc like the ws1011 proxy's and HAProxy's.
///
/// What the ws1011 proxy spends beyond this floor is its own (frame tracking, metrics, faults, the state
/// machine); what this floor spends beyond HAProxy is SwiftNIO's per-event cost.
enum GlueProxy {
    /// The argument that selects this mode.
    static let command = "glue-proxy"

    /// Listens on 127.0.0.1 (an ephemeral port, printed as `listening on 127.0.0.1:PORT`) and forwards every
    /// connection to `127.0.0.1:upstreamPort`. Runs until the process is stopped.
    static func serve(upstreamPort: Int, threads: Int) throws -> Never {
        let group = MultiThreadedEventLoopGroup(numberOfThreads: max(1, threads))
        let bootstrap = ServerBootstrap(group: group)
            .serverChannelOption(ChannelOptions.backlog, value: 256)
            .serverChannelOption(ChannelOptions.socketOption(.so_reuseaddr), value: 1)
            .childChannelOption(ChannelOptions.socketOption(.tcp_nodelay), value: 1)
            // Nothing is read from the client until its partner channel is connected and glued.
            .childChannelOption(ChannelOptions.autoRead, value: false)
            .childChannelOption(ChannelOptions.allowRemoteHalfClosure, value: true)
            .childChannelInitializer { client in
                ClientBootstrap(group: client.eventLoop)
                    .channelOption(ChannelOptions.socketOption(.tcp_nodelay), value: 1)
                    .channelOption(ChannelOptions.allowRemoteHalfClosure, value: true)
                    .connect(host: Loopback.host, port: upstreamPort)
                    .flatMap { upstream in
                        let (a, b) = GlueHandler.matchedPair()
                        do {
                            try client.pipeline.syncOperations.addHandler(a)
                            try upstream.pipeline.syncOperations.addHandler(b)
                        } catch {
                            upstream.close(promise: nil)
                            return client.eventLoop.makeFailedFuture(error)
                        }
                        return client.setOption(ChannelOptions.autoRead, value: true)
                    }
                    .flatMapError { error in
                        client.close(promise: nil)
                        return client.eventLoop.makeFailedFuture(error)
                    }
            }
        let channel = try bootstrap.bind(host: Loopback.host, port: 0).wait()
        FileHandle.standardOutput.write(Data("listening on \(Loopback.host):\(channel.localAddress?.port ?? 0)\n".utf8))
        try channel.closeFuture.wait()
        exit(0)
    }
}

/// One side of a glued pair: what it reads goes to its partner's channel.
private final class GlueHandler: ChannelDuplexHandler {
    typealias InboundIn = NIOAny
    typealias OutboundIn = NIOAny
    typealias OutboundOut = NIOAny

    private var partner: GlueHandler?
    private var context: ChannelHandlerContext?
    private var pendingRead = false

    static func matchedPair() -> (GlueHandler, GlueHandler) {
        let first = GlueHandler()
        let second = GlueHandler()
        first.partner = second
        second.partner = first
        return (first, second)
    }

    func handlerAdded(context: ChannelHandlerContext) { self.context = context }
    func handlerRemoved(context: ChannelHandlerContext) {
        self.context = nil
        partner = nil
    }

    private var partnerWritable: Bool { partner?.context?.channel.isWritable ?? false }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        partner?.context?.write(data, promise: nil)
    }

    func channelReadComplete(context: ChannelHandlerContext) {
        partner?.context?.flush()
    }

    func channelInactive(context: ChannelHandlerContext) {
        partner?.context?.close(promise: nil)
    }

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        if let event = event as? ChannelEvent, case .inputClosed = event {
            partner?.context?.close(mode: .output, promise: nil)
        }
        context.fireUserInboundEventTriggered(event)
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        partner?.context?.close(promise: nil)
        context.close(promise: nil)
    }

    func channelWritabilityChanged(context: ChannelHandlerContext) {
        if context.channel.isWritable, let partner, partner.pendingRead, let partnerContext = partner.context {
            partner.pendingRead = false
            partnerContext.read()
        }
        context.fireChannelWritabilityChanged()
    }

    func read(context: ChannelHandlerContext) {
        if partnerWritable {
            context.read()
        } else {
            pendingRead = true
        }
    }
}
