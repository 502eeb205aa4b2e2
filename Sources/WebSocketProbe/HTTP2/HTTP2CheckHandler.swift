import NIOCore
import NIOHPACK
import NIOHTTP2
import WebSocketDiagnosis
import WebSocketWire

/// The thin handler behind `NIOHTTP2Handler` on the connection of the HTTP/2 check: hands every frame to
/// the ``HTTP2ExtendedConnectExchange`` and carries out its actions (the extended CONNECT, the ping, the
/// profile's first message, the end).
///
/// It sits directly after `NIOHTTP2Handler` without a stream multiplexer, so it sees the connection's
/// frames (SETTINGS, GOAWAY) and those of the one stream it opens (stream 1).
final class HTTP2CheckHandler: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = HTTP2Frame
    typealias OutboundOut = HTTP2Frame

    /// The extended CONNECT to send.
    struct Request: Sendable {
        /// `:authority`: host, and `:port` when not 443.
        var authority: String
        /// `:path`: the resource with its query.
        var path: String
        /// `sec-websocket-protocol` entries, in order (empty: no header).
        var subprotocols: [String]
        /// Further request headers (credentials, `Origin`), names as given (lowercased on the wire).
        var headers: [HeaderField]
    }

    private let exchange: LockedBox<HTTP2ExtendedConnectExchange>
    private let request: Request
    private let start: ContinuousClock.Instant
    private let stream = HTTP2StreamID(HTTP2ExtendedConnectRules.streamID)

    init(exchange: LockedBox<HTTP2ExtendedConnectExchange>, request: Request, start: ContinuousClock.Instant) {
        self.exchange = exchange
        self.request = request
        self.start = start
    }

    /// The HEADERS of the extended CONNECT (RFC 8441 §4, §5): pseudo-headers first.
    static func headers(for request: Request) -> HPACKHeaders {
        var fields: [(String, String)] = [
            (":method", "CONNECT"), (":protocol", "websocket"), (":scheme", "https"),
            (":path", request.path), (":authority", request.authority),
            ("sec-websocket-version", "13"),
        ]
        if !request.subprotocols.isEmpty { fields.append(("sec-websocket-protocol", request.subprotocols.joined(separator: ", "))) }
        // Connection-specific fields are not allowed in HTTP/2 (RFC 9113 §8.2.2); Host is `:authority`.
        let dropped: Set<String> = [
            "host", "connection", "upgrade", "keep-alive", "proxy-connection", "transfer-encoding", "te",
            "sec-websocket-key", "sec-websocket-version", "sec-websocket-protocol",
        ]
        for field in request.headers where !dropped.contains(field.name.lowercased()) {
            fields.append((field.name.lowercased(), field.value))
        }
        return HPACKHeaders(fields)
    }

    private var nowMs: Double { (ContinuousClock.now - start).milliseconds }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        guard let frame = HTTP2StreamFrame(unwrapInboundIn(data), stream: stream) else { return }
        let at = nowMs
        let event: HTTP2ExtendedConnectExchange.Event =
            switch frame {
            case .settings(let settings): .settings(settings, at: at)
            case .goAway(let code, let lastStreamID): .goAway(code, lastStreamID: lastStreamID, at: at)
            case .answer(let status, let headers, let endStream): .answer(status: status, headers: headers, endStream: endStream, at: at)
            case .data(let buffer, let endStream): .data(Array(buffer.readableBytesView), endStream: endStream, at: at)
            case .reset(let code): .reset(code, at: at)
            }
        perform(exchange.withLock { $0.event(event) }, context: context)
    }

    func channelInactive(context: ChannelHandlerContext) {
        let at = nowMs
        _ = exchange.withLock { $0.event(.ended("TCP end", at: at)) }
        context.fireChannelInactive()
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        let at = nowMs
        let why = String(describing: error)
        _ = exchange.withLock { $0.event(.ended(why, at: at)) }
        context.close(promise: nil)
    }

    private func perform(_ action: HTTP2ExtendedConnectExchange.Action, context: ChannelHandlerContext) {
        switch action {
        case .none:
            break
        case .sendConnect:
            let headers = HTTP2Frame.FramePayload.Headers(headers: Self.headers(for: request), endStream: false)
            context.writeAndFlush(wrapOutboundOut(HTTP2Frame(streamID: stream, payload: .headers(headers))), promise: nil)
        case .sendPing(let payload):
            send(WebSocketFrame(opcode: .ping, masked: true, payload: payload), context: context) { $0.pingWritten(at: $1) }
        case .sendText(let text):
            send(WebSocketFrame(opcode: .text, masked: true, payload: Array(text.utf8)), context: context) { $0.messageWritten(at: $1) }
        case .finish(let closeStream):
            if closeStream {
                // A WebSocket close (1000) ends the stream, as a browser leaving the page would.
                let close = WebSocketFrame(
                    opcode: .close, masked: true, payload: CloseFrameBody.encode(code: CloseCode.normalClosure.rawValue, reason: "")
                )
                .encoded(maskKey: .random())
                let data = HTTP2Frame.FramePayload.Data(data: .byteBuffer(context.channel.allocator.buffer(bytes: close)), endStream: true)
                context.write(wrapOutboundOut(HTTP2Frame(streamID: stream, payload: .data(data))), promise: nil)
            }
            let goAway = HTTP2Frame(
                streamID: .rootStream, payload: .goAway(lastStreamID: .rootStream, errorCode: .noError, opaqueData: nil))
            context.writeAndFlush(wrapOutboundOut(goAway)).whenComplete { _ in context.close(promise: nil) }
        }
    }

    /// Writes one masked WebSocket frame as DATA on the stream; `written` records when it went out (ms since the start).
    private func send(
        _ frame: WebSocketFrame, context: ChannelHandlerContext,
        written: @escaping @Sendable (inout HTTP2ExtendedConnectExchange, Double) -> Void
    ) {
        let bytes = frame.encoded(maskKey: .random())
        let promise = context.eventLoop.makePromise(of: Void.self)
        let exchange = self.exchange
        let start = self.start
        promise.futureResult.whenSuccess { exchange.withLock { written(&$0, (ContinuousClock.now - start).milliseconds) } }
        let data = HTTP2Frame.FramePayload.Data(data: .byteBuffer(context.channel.allocator.buffer(bytes: bytes)))
        context.writeAndFlush(wrapOutboundOut(HTTP2Frame(streamID: stream, payload: .data(data))), promise: promise)
    }
}
