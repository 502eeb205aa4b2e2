import NIOCore

/// The thin handler on the upstream connection of an HTTP/2 front stream: hands the upstream's bytes and end
/// to the ``HTTP2FrontStreamHandler`` and holds reads back while the stream cannot take more DATA.
///
/// Loop-bound: it shares the stream's event loop; hence `@unchecked Sendable`.
final class HTTP2FrontUpstreamHandler: ChannelDuplexHandler, @unchecked Sendable {
    typealias InboundIn = ByteBuffer
    typealias OutboundIn = ByteBuffer
    typealias OutboundOut = ByteBuffer

    private var stream: HTTP2FrontStreamHandler?
    private var context: ChannelHandlerContext?
    private var pendingRead = false

    init(stream: HTTP2FrontStreamHandler) { self.stream = stream }

    func handlerAdded(context: ChannelHandlerContext) { self.context = context }
    func handlerRemoved(context: ChannelHandlerContext) { self.context = nil }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        stream?.upstreamRead(unwrapInboundIn(data))
    }

    func channelInactive(context: ChannelHandlerContext) {
        let stream = self.stream
        self.stream = nil  // the stream and this handler no longer hold each other
        stream?.upstreamClosed(context.channel)
        context.fireChannelInactive()
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        context.close(promise: nil)
    }

    func channelWritabilityChanged(context: ChannelHandlerContext) {
        stream?.resumeClientReads()
        context.fireChannelWritabilityChanged()
    }

    func read(context: ChannelHandlerContext) {
        if stream?.clientWritable ?? true {
            context.read()
        } else {
            pendingRead = true
        }
    }

    /// Re-issues a held read once the stream can take more.
    func resumeIfPossible() {
        guard pendingRead, let context, stream?.clientWritable ?? true else { return }
        pendingRead = false
        context.read()
    }
}
