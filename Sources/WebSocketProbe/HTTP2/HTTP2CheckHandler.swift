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
    private let stream = HTTP2StreamID(1)

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
        let frame = unwrapInboundIn(data)
        let at = nowMs
        let event: HTTP2ExtendedConnectExchange.Event?
        switch frame.payload {
        case .settings(.settings(let settings)) where frame.streamID == .rootStream:
            event = .settings(settings.map(Self.observed), at: at)
        case .goAway(let last, let code, _):
            event = .goAway(Self.name(of: code), lastStreamID: Int(last), at: at)
        case .headers(let headers) where frame.streamID == stream:
            let status = headers.headers.first(name: ":status").flatMap { Int($0) }
            let fields = headers.headers.filter { !$0.name.hasPrefix(":") }.map { HeaderField($0.name, $0.value) }
            event = .answer(status: status, headers: fields, endStream: headers.endStream, at: at)
        case .data(let data) where frame.streamID == stream:
            var bytes: [UInt8] = []
            if case .byteBuffer(let buffer) = data.data { bytes = Array(buffer.readableBytesView) }
            event = .data(bytes, endStream: data.endStream, at: at)
        case .rstStream(let code) where frame.streamID == stream:
            event = .reset(Self.name(of: code), at: at)
        default:
            event = nil
        }
        guard let event else { return }
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
            let bytes = WebSocketFrame(opcode: .ping, masked: true, payload: payload).encoded(
                maskKey: .random())
            let promise = context.eventLoop.makePromise(of: Void.self)
            let exchange = self.exchange
            let start = self.start
            promise.futureResult.whenSuccess { exchange.withLock { $0.pingWritten(at: (ContinuousClock.now - start).milliseconds) } }
            let data = HTTP2Frame.FramePayload.Data(data: .byteBuffer(context.channel.allocator.buffer(bytes: bytes)))
            context.writeAndFlush(wrapOutboundOut(HTTP2Frame(streamID: stream, payload: .data(data))), promise: promise)
        case .sendText(let text):
            let bytes = WebSocketFrame(opcode: .text, masked: true, payload: Array(text.utf8)).encoded(maskKey: .random())
            let promise = context.eventLoop.makePromise(of: Void.self)
            let exchange = self.exchange
            let start = self.start
            promise.futureResult.whenSuccess { exchange.withLock { $0.messageWritten(at: (ContinuousClock.now - start).milliseconds) } }
            let data = HTTP2Frame.FramePayload.Data(data: .byteBuffer(context.channel.allocator.buffer(bytes: bytes)))
            context.writeAndFlush(wrapOutboundOut(HTTP2Frame(streamID: stream, payload: .data(data))), promise: promise)
        case .finish(let closeStream):
            if closeStream {
                // A WebSocket close (1000) ends the stream, as a browser leaving the page would.
                let close = WebSocketFrame(opcode: .close, masked: true, payload: CloseFrameBody.encode(code: CloseCode.normalClosure.rawValue, reason: ""))
                    .encoded(maskKey: .random())
                let data = HTTP2Frame.FramePayload.Data(data: .byteBuffer(context.channel.allocator.buffer(bytes: close)), endStream: true)
                context.write(wrapOutboundOut(HTTP2Frame(streamID: stream, payload: .data(data))), promise: nil)
            }
            let goAway = HTTP2Frame(
                streamID: .rootStream, payload: .goAway(lastStreamID: .rootStream, errorCode: .noError, opaqueData: nil))
            context.writeAndFlush(wrapOutboundOut(goAway)).whenComplete { _ in context.close(promise: nil) }
        }
    }

    /// One received setting as observed: its id, its RFC name, its value.
    static func observed(_ setting: HTTP2Setting) -> HTTP2Observation.Setting {
        let id = identifier(of: setting.parameter)
        return HTTP2Observation.Setting(id: id, name: settingName(id), value: setting.value)
    }

    /// The identifier of a settings parameter (NIOHTTP2 keeps it internal; it is a 16-bit number, RFC 9113 §6.5.1).
    static func identifier(of parameter: HTTP2SettingsParameter) -> Int {
        (0...0xFFFF).first { HTTP2SettingsParameter(extensionSetting: $0) == parameter } ?? -1
    }

    /// `SETTINGS_MAX_CONCURRENT_STREAMS`, …, `UNKNOWN_0xNN` (RFC 9113 §6.5.2, RFC 8441 §3).
    static func settingName(_ id: Int) -> String {
        let names = [
            1: "SETTINGS_HEADER_TABLE_SIZE", 2: "SETTINGS_ENABLE_PUSH", 3: "SETTINGS_MAX_CONCURRENT_STREAMS",
            4: "SETTINGS_INITIAL_WINDOW_SIZE", 5: "SETTINGS_MAX_FRAME_SIZE", 6: "SETTINGS_MAX_HEADER_LIST_SIZE",
            8: "SETTINGS_ENABLE_CONNECT_PROTOCOL", 9: "SETTINGS_NO_RFC7540_PRIORITIES",
        ]
        return names[id] ?? "UNKNOWN_0x" + String(id, radix: 16, uppercase: true)
    }

    /// `NO_ERROR`, `CANCEL`, `CONNECT_ERROR`, …, `0xNN` (RFC 9113 §7).
    static func name(of code: HTTP2ErrorCode) -> String {
        let names = [
            "NO_ERROR", "PROTOCOL_ERROR", "INTERNAL_ERROR", "FLOW_CONTROL_ERROR", "SETTINGS_TIMEOUT", "STREAM_CLOSED", "FRAME_SIZE_ERROR",
            "REFUSED_STREAM", "CANCEL", "COMPRESSION_ERROR", "CONNECT_ERROR", "ENHANCE_YOUR_CALM", "INADEQUATE_SECURITY",
            "HTTP_1_1_REQUIRED",
        ]
        let n = code.networkCode
        return n < names.count ? names[n] : "0x" + String(n, radix: 16, uppercase: true)
    }
}
