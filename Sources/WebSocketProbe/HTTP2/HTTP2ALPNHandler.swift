import NIOCore
import NIOHTTP2
import NIOTLS

/// Records what ALPN selected on the connection of the HTTP/2 check and, when it is `h2`, puts HTTP/2 in
/// the pipeline (`NIOHTTP2Handler` and ``HTTP2CheckHandler``) before the first byte after the handshake.
///
/// Anything other than `h2` closes the connection: the check only needs the answer.
final class HTTP2ALPNHandler: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = ByteBuffer
    typealias InboundOut = ByteBuffer

    /// What the handshake decided.
    enum State: Sendable, Equatable {
        case waiting
        /// The handshake completed; the protocol ALPN selected (`nil`: none).
        case negotiated(String?)
        /// The handshake failed or the connection ended before it completed.
        case failed(String)
    }

    private let state: LockedBox<State>
    private let exchange: LockedBox<HTTP2ExtendedConnectExchange>
    private let request: HTTP2CheckHandler.Request
    private let start: ContinuousClock.Instant

    init(
        state: LockedBox<State>, exchange: LockedBox<HTTP2ExtendedConnectExchange>, request: HTTP2CheckHandler.Request,
        start: ContinuousClock.Instant
    ) {
        self.state = state
        self.exchange = exchange
        self.request = request
        self.start = start
    }

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        guard case TLSUserEvent.handshakeCompleted(let selected) = event else {
            context.fireUserInboundEventTriggered(event)
            return
        }
        guard selected == "h2" else {
            state.withLock { $0 = .negotiated(selected) }
            context.close(promise: nil)
            return
        }
        do {
            let http2 = NIOHTTP2Handler(mode: .client, initialSettings: nioDefaultSettings)
            let check = HTTP2CheckHandler(exchange: exchange, request: request, start: start)
            try context.pipeline.syncOperations.addHandlers([http2, check], position: .after(self))
            state.withLock { $0 = .negotiated(selected) }
        } catch {
            state.withLock { $0 = .failed("cannot set up HTTP/2: \(error)") }
            context.close(promise: nil)
        }
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        let why = String(describing: error)
        let handshaking = state.withLock { s -> Bool in
            guard case .waiting = s else { return false }
            s = .failed(why)
            return true
        }
        if handshaking { context.close(promise: nil) } else { context.fireErrorCaught(error) }
    }

    func channelInactive(context: ChannelHandlerContext) {
        state.withLock { if case .waiting = $0 { $0 = .failed("the connection ended during the TLS handshake") } }
        context.fireChannelInactive()
    }
}
