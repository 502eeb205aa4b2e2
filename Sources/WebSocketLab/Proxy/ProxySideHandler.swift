import NIOCore

/// The thin channel handler on each side of a proxied connection: hands bytes and events to the
/// `ProxyConnection` and holds reads back while the other side cannot take more (back-pressure).
final class ProxySideHandler: ChannelDuplexHandler, RemovableChannelHandler {
    typealias InboundIn = ByteBuffer
    typealias OutboundIn = ByteBuffer
    typealias OutboundOut = ByteBuffer

    /// Which peer this handler faces.
    enum Side { case client, server }

    let side: Side
    let connection: ProxyConnection
    private var context: ChannelHandlerContext?
    private var pendingRead = false

    init(side: Side, connection: ProxyConnection) {
        self.side = side
        self.connection = connection
    }

    func handlerAdded(context: ChannelHandlerContext) { self.context = context }
    func handlerRemoved(context: ChannelHandlerContext) { self.context = nil }

    func channelActive(context: ChannelHandlerContext) {
        if side == .client { connection.clientConnected(handler: self, channel: context.channel) }
        context.fireChannelActive()
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        connection.received(unwrapInboundIn(data), from: side)
    }

    func channelReadComplete(context: ChannelHandlerContext) {
        connection.readComplete(from: side)
    }

    func channelInactive(context: ChannelHandlerContext) {
        connection.sideClosed(side)
        context.fireChannelInactive()
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        connection.sideFailed(side, error: error)
        context.close(promise: nil)
    }

    func channelWritabilityChanged(context: ChannelHandlerContext) {
        connection.writabilityChanged(side)
        context.fireChannelWritabilityChanged()
    }

    func read(context: ChannelHandlerContext) {
        if connection.mayRead(side) {
            context.read()
        } else {
            pendingRead = true
        }
    }

    // MARK: - Tunnel hot path

    /// Writes `buffer` to this side's peer straight from this handler's context, skipping the
    /// pipeline's tail (what `Channel.write` walks through); false once the handler left the pipeline.
    /// Order is kept with `Channel.write`: this handler queues nothing, both reach the same next handler.
    func writeDirect(_ buffer: ByteBuffer) -> Bool {
        guard let context else { return false }
        context.write(wrapOutboundOut(buffer), promise: nil)
        return true
    }

    /// Flushes this side's channel from this handler's context; false once the handler left the pipeline.
    func flushDirect() -> Bool {
        guard let context else { return false }
        context.flush()
        return true
    }

    /// Re-issues a read that was held back, if the connection now allows it.
    func resumeIfPossible() {
        guard pendingRead, let context, connection.mayRead(side) else { return }
        pendingRead = false
        context.read()
    }
}
