import NIOCore
import NIOHPACK
import NIOHTTP2
import WebSocketDiagnosis
import WebSocketWire

/// The thin handler behind `NIOHTTP2Handler` on a connection whose WebSocket runs over HTTP/2 (`--http2`):
/// drives ``HTTP2WebSocketStream`` with the frames it reads and, once the stream is open, turns it into a
/// channel of plain bytes for the WebSocket handlers after it: DATA on the stream in, bytes out as DATA.
///
/// What the open stream carries before the connection has taken the answer (data, the stream's ending, the
/// connection's end) is held by the machine until the connection takes it from there
/// (``HTTP2WebSocketStream/Event/released``), so the connection never reads frames as a handshake and reads
/// them before the end when all came in one read. When our close frame goes out, the
/// stream is ended (`END_STREAM`, the stream's FIN); when the server ends, resets or goes away, the ending
/// is passed down as an ``HTTP2StreamEnding`` error. Closing the channel resets an open stream (`CANCEL`) and says
/// `GOAWAY` first, as a browser leaving a page does. There is no stream multiplexer: it answers the flow
/// control of the stream and of the connection itself.
///
/// `@unchecked Sendable`: its mutable state is touched only on the channel's event loop.
final class HTTP2WebSocketStreamHandler: ChannelDuplexHandler, RemovableChannelHandler, @unchecked Sendable {
    typealias InboundIn = HTTP2Frame
    typealias InboundOut = ByteBuffer
    typealias OutboundIn = ByteBuffer
    typealias OutboundOut = HTTP2Frame

    private let state: LockedBox<HTTP2WebSocketStream>
    private let request: HTTP2CheckHandler.Request
    private let slot: HTTP2StreamSlot
    private let stream = HTTP2StreamID(HTTP2WebSocketStream.streamID)
    private var context: ChannelHandlerContext?
    /// Flow-controlled bytes read and not yet given back with WINDOW_UPDATE.
    private var unacknowledged = 0

    /// Give the window back once this much is read (half the default initial window, RFC 9113 §6.9.2).
    static let windowUpdateThreshold = 32_768

    init(state: LockedBox<HTTP2WebSocketStream>, request: HTTP2CheckHandler.Request, slot: HTTP2StreamSlot) {
        self.state = state
        self.request = request
        self.slot = slot
    }

    func handlerAdded(context: ChannelHandlerContext) {
        self.context = context
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        self.context = nil
        slot.complete(.ended(HTTP2StreamEnding(end: nil, kind: nil, detail: "the connection closed", at: .now)))
    }

    // MARK: - Inbound

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let raw = unwrapInboundIn(data)
        // DATA on any stream takes from the connection's window (and the stream's): give it back.
        if case .data(let payload) = raw.payload { giveBackWindow(Self.flowControlled(payload), context: context) }
        guard let frame = HTTP2StreamFrame(raw, stream: stream) else { return }
        let at = ContinuousClock.now
        let event: HTTP2WebSocketStream.Event =
            switch frame {
            case .settings(let settings): .settings(settings, at: at)
            case .goAway(let code, let lastStreamID): .goAway(code, lastStreamID: lastStreamID, at: at)
            case .answer(let status, let headers, let endStream): .answer(status: status, headers: headers, endStream: endStream, at: at)
            case .data(let buffer, let endStream): .data(buffer, endStream: endStream, at: at)
            case .reset(let code): .reset(code, at: at)
            }
        perform(state.withLock { $0.event(event) }, context: context)
    }

    func channelInactive(context: ChannelHandlerContext) {
        let action = state.withLock { $0.event(.connectionEnded(at: .now)) }
        slot.complete(.ended(HTTP2StreamEnding(end: nil, kind: nil, detail: "the connection ended", at: .now)))
        perform(action, context: context)  // passes the end on, or holds it behind the stream's data for the connection
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        // An HTTP/2 protocol error of the connection: before the answer it is the opening's outcome.
        slot.complete(.ended(HTTP2StreamEnding(end: nil, kind: nil, detail: "HTTP/2 error: \(error)", at: .now)))
        context.fireErrorCaught(error)
    }

    private func perform(_ action: HTTP2WebSocketStream.Action, context: ChannelHandlerContext) {
        switch action {
        case .none:
            break
        case .sendConnect:
            let headers = HTTP2Frame.FramePayload.Headers(headers: HTTP2CheckHandler.headers(for: request), endStream: false)
            let promise = context.eventLoop.makePromise(of: Void.self)
            let state = self.state
            promise.futureResult.whenSuccess { _ = state.withLock { $0.event(.connectWritten(at: .now)) } }
            context.writeAndFlush(wrapOutboundOut(HTTP2Frame(streamID: stream, payload: .headers(headers))), promise: promise)
        case .opening(let opening):
            slot.complete(opening)
        case .forward(let items):
            for item in items {
                switch item {
                case .bytes(let buffer, _): context.fireChannelRead(wrapInboundOut(buffer))
                case .ending(let ending): context.fireErrorCaught(ending)
                case .inactive: context.fireChannelInactive()
                }
            }
        }
    }

    /// The bytes a DATA frame takes from the flow-control windows: its data and its padding (RFC 9113 §6.1).
    static func flowControlled(_ payload: HTTP2Frame.FramePayload.Data) -> Int {
        payload.data.readableBytes + (payload.paddingBytes.map { $0 + 1 } ?? 0)
    }

    private func giveBackWindow(_ length: Int, context: ChannelHandlerContext) {
        unacknowledged += length
        guard unacknowledged >= Self.windowUpdateThreshold else { return }
        let increment = unacknowledged
        unacknowledged = 0
        if state.value.phase != .ended {
            context.write(
                wrapOutboundOut(HTTP2Frame(streamID: stream, payload: .windowUpdate(windowSizeIncrement: increment))), promise: nil)
        }
        context.writeAndFlush(
            wrapOutboundOut(HTTP2Frame(streamID: .rootStream, payload: .windowUpdate(windowSizeIncrement: increment))), promise: nil)
    }

    // MARK: - Outbound

    /// One WebSocket frame as DATA on the open stream; a close frame also ends our side (`END_STREAM`).
    func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        let buffer = unwrapOutboundIn(data)
        let current = state.value
        guard current.phase == .open, !current.localEndStream else {
            promise?.fail(ChannelError.outputClosed)
            return
        }
        // Every write of the connection is one whole frame: its first byte holds the opcode.
        let isClose = buffer.getInteger(at: buffer.readerIndex, as: UInt8.self).map { FrameOpcode(rawValue: $0) == .close } ?? false
        if isClose { state.withLock { $0.localEndStream = true } }
        let payload = HTTP2Frame.FramePayload.Data(data: .byteBuffer(buffer), endStream: isClose)
        context.write(wrapOutboundOut(HTTP2Frame(streamID: stream, payload: .data(payload))), promise: promise)
    }

    func close(context: ChannelHandlerContext, mode: CloseMode, promise: EventLoopPromise<Void>?) {
        guard mode == .all, context.channel.isActive else {
            context.close(mode: mode, promise: promise)
            return
        }
        let current = state.value
        if current.phase == .open || current.phase == .awaitingAnswer {
            context.write(wrapOutboundOut(HTTP2Frame(streamID: stream, payload: .rstStream(.cancel))), promise: nil)
        }
        let goAway = HTTP2Frame(streamID: .rootStream, payload: .goAway(lastStreamID: .rootStream, errorCode: .noError, opaqueData: nil))
        context.writeAndFlush(wrapOutboundOut(goAway), promise: nil)
        context.close(mode: mode, promise: promise)
    }
}
