import NIOCore
import WebSocketDiagnosis

/// Opens an HTTP CONNECT tunnel through a forward proxy: the first handler after the byte counter until the
/// proxy has answered. It writes `CONNECT host:port`, reads the answer's head (bounded), and completes
/// `outcome`; nothing goes further down the pipeline until it is removed.
///
/// Every method runs on the channel's event loop (hence `@unchecked Sendable`: the connection hands it to
/// that loop's tasks only).
final class ProxyTunnelHandler: ChannelInboundHandler, RemovableChannelHandler, @unchecked Sendable {
    typealias InboundIn = ByteBuffer
    typealias OutboundOut = ByteBuffer

    /// How the CONNECT ended.
    enum Outcome: Sendable {
        /// The proxy answered (any status); `remainder` is what came after the head.
        case answered(ResponseHead, remainder: [UInt8])
        /// The answer was not HTTP, or its head was too large.
        case malformed(String)
        /// The connection ended (or failed) before a complete answer.
        case closed(String)
    }

    private let request: [UInt8]
    private var parser = UpgradeResponseParser(maxHeadBytes: 16 << 10)
    private var result: Outcome?
    private var waiter: EventLoopPromise<Outcome>?

    /// A handler asking for a tunnel to `target` (`host:port`), with `authorization` as `Proxy-Authorization`.
    init(target: String, authorization: String?) {
        var head = "CONNECT \(target) HTTP/1.1\r\nHost: \(target)\r\nUser-Agent: ws1011\r\nProxy-Connection: Keep-Alive\r\n"
        if let authorization { head += "Proxy-Authorization: \(authorization)\r\n" }
        self.request = Array((head + "\r\n").utf8)
    }

    /// Completes `promise` with the outcome, now or when it comes (on the channel's loop).
    func deliver(to promise: EventLoopPromise<Outcome>) {
        if let result { promise.succeed(result) } else { waiter = promise }
    }

    /// Ends the wait with `reason` when no answer came in time (on the channel's loop).
    func giveUp(_ reason: String) {
        finish(.closed(reason))
    }

    func handlerAdded(context: ChannelHandlerContext) {
        if context.channel.isActive { sendRequest(context: context) }
    }

    func channelActive(context: ChannelHandlerContext) {
        sendRequest(context: context)
        context.fireChannelActive()
    }

    private var sent = false
    private func sendRequest(context: ChannelHandlerContext) {
        guard !sent else { return }
        sent = true
        context.writeAndFlush(wrapOutboundOut(context.channel.allocator.buffer(bytes: request)), promise: nil)
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        guard result == nil else { return }
        let buffer = unwrapInboundIn(data)
        switch parser.append(buffer.readableBytesView) {
        case .needMore:
            return
        case .head(let head, let remainder):
            finish(.answered(head, remainder: remainder))
        case .malformed(let reason):
            finish(.malformed("the proxy's answer to CONNECT is not HTTP: \(reason)"))
            context.close(promise: nil)
        case .oversized(let size):
            finish(.malformed("the proxy's answer to CONNECT has a head over 16 KiB (\(size) bytes)"))
            context.close(promise: nil)
        }
    }

    func channelInactive(context: ChannelHandlerContext) {
        finish(.closed("the proxy ended the connection before answering CONNECT"))
        context.fireChannelInactive()
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        finish(.closed("the connection to the proxy failed before its answer: \(TransportErrorKind.classify(error).text)"))
        context.close(promise: nil)
    }

    private func finish(_ outcome: Outcome) {
        guard result == nil else { return }
        result = outcome
        waiter?.succeed(outcome)
        waiter = nil
    }
}
