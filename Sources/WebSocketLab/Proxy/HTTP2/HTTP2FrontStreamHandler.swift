import Foundation
import NIOCore
import NIOHPACK
import NIOHTTP2
import NIOPosix
import NIOSSL
import WebSocketDiagnosis

/// The thin handler of one HTTP/2 stream at the proxy's HTTP/2 front: feeds ``HTTP2FrontStreamStateMachine``
/// the stream's frames and the upstream's bytes and carries out what it returns — connecting the upstream
/// (an instance picked as the HTTP/1.1 path picks it, bounded by the connect timeout), writing, answering,
/// resetting, closing — with back-pressure both ways: the stream is not read while the upstream cannot take
/// more (so its flow-control window is not given back), the upstream is not read while the stream cannot.
///
/// Loop-bound: the stream channel and the upstream channel share the connection's event loop; hence
/// `@unchecked Sendable`.
final class HTTP2FrontStreamHandler: ChannelDuplexHandler, @unchecked Sendable {
    typealias InboundIn = HTTP2Frame.FramePayload
    typealias OutboundIn = HTTP2Frame.FramePayload
    typealias OutboundOut = HTTP2Frame.FramePayload

    private let proxy: FaultProxy
    private var machine: HTTP2FrontStreamStateMachine
    private var context: ChannelHandlerContext?
    private var upstream: Channel?
    private var upstreamHandler: HTTP2FrontUpstreamHandler?
    private var timers: [Scheduled<Void>] = []
    private var pendingRead = false
    private var instance: Int?
    private var countsAsWebSocket = false
    /// The stream's first answer (HEADERS or RST_STREAM) was counted in the metrics.
    private var answerCounted = false

    init(proxy: FaultProxy) {
        self.proxy = proxy
        machine = HTTP2FrontStreamStateMachine(key: Self.makeKey(), maxHeadBytes: proxy.configuration.maxHeadBytes)
    }

    /// A fresh `Sec-WebSocket-Key`: 16 random bytes in base64 (RFC 6455 §4.1).
    static func makeKey() -> String {
        var generator = SystemRandomNumberGenerator()
        return Data((0..<16).map { _ in UInt8.random(in: .min ... .max, using: &generator) }).base64EncodedString()
    }

    // MARK: - Stream events

    func handlerAdded(context: ChannelHandlerContext) { self.context = context }

    func handlerRemoved(context: ChannelHandlerContext) {
        streamGone()
        self.context = nil
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch unwrapInboundIn(data) {
        case .headers(let headers):
            let fields = headers.headers.map { HeaderField($0.name, $0.value) }
            let failure = fields.first(named: ":protocol") != nil && machine.kind == nil ? proxy.rollHTTP2ConnectFailure() : nil
            let isNew = machine.kind == nil
            perform(machine.headersReceived(fields, endStream: headers.endStream, failure: failure))
            if isNew, let kind = machine.kind { proxy.metrics.h2Stream(webSocket: kind == .webSocket) }
        case .data(let payload):
            guard case .byteBuffer(let buffer) = payload.data else { return }
            perform(machine.clientData(buffer, endStream: payload.endStream))
        case .rstStream:
            perform(machine.clientReset())
        default:
            break
        }
    }

    func channelInactive(context: ChannelHandlerContext) {
        streamGone()
        context.fireChannelInactive()
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        perform(machine.clientReset())
        context.close(promise: nil)
    }

    func channelWritabilityChanged(context: ChannelHandlerContext) {
        upstreamHandler?.resumeIfPossible()
        context.fireChannelWritabilityChanged()
    }

    func read(context: ChannelHandlerContext) {
        // Not read (so the stream's window is not given back) while the machine holds the client's bytes or the
        // upstream cannot take more: what the client may send meanwhile is bounded by its flow-control window.
        if machine.holdsClientData || !(upstream?.isWritable ?? true) {
            pendingRead = true
        } else {
            context.read()
        }
    }

    /// Whether the stream can take more DATA now (the upstream's reads wait otherwise).
    var clientWritable: Bool { context?.channel.isWritable ?? true }

    /// Re-issues a held read of the stream once the upstream can take more.
    func resumeClientReads() {
        guard pendingRead, let context, !machine.holdsClientData, upstream?.isWritable ?? true else { return }
        pendingRead = false
        context.read()
    }

    private func streamGone() {
        perform(machine.clientReset())
        for timer in timers { timer.cancel() }
        timers.removeAll()
        if countsAsWebSocket {
            countsAsWebSocket = false
            proxy.webSocketClosed()
        }
    }

    // MARK: - Upstream events

    func upstreamRead(_ buffer: ByteBuffer) { perform(machine.upstreamRead(buffer)) }

    func upstreamClosed(_ channel: Channel) {
        guard channel === upstream else { return }
        perform(machine.upstreamClosed())
    }

    // MARK: - Actions

    private func perform(_ actions: [HTTP2FrontStreamStateMachine.Action]) {
        guard !actions.isEmpty else { return }
        var wroteUpstream = false
        var wroteClient = false
        for action in actions {
            switch action {
            case .connectUpstream(let head):
                connect(head)
            case .writeUpstream(let buffer):
                proxy.metrics.bytes(buffer.readableBytes, .upstream)
                upstream?.write(buffer, promise: nil)
                wroteUpstream = true
            case .armResponseTimer:
                schedule(after: proxy.configuration.upstreamResponseTimeout) { handler in
                    handler.perform(handler.machine.responseTimedOut())
                }
            case .sendHeaders(let status, let fields, let endStream):
                countAnswer(status: status)
                var headers = HPACKHeaders([(":status", String(status))])
                for field in fields { headers.add(name: field.name.lowercased(), value: field.value) }
                if let instance { headers.add(name: "x-served-by", value: "instance-\(instance)") }
                context?.write(wrapOutboundOut(.headers(.init(headers: headers, endStream: endStream))), promise: nil)
                wroteClient = true
            case .sendData(let buffer, let endStream):
                proxy.metrics.bytes(buffer.readableBytes, .downstream)
                context?.write(wrapOutboundOut(.data(.init(data: .byteBuffer(buffer), endStream: endStream))), promise: nil)
                wroteClient = true
            case .resetStream(let code):
                countAnswer(status: nil)
                context?.writeAndFlush(wrapOutboundOut(.rstStream(HTTP2ErrorCode(networkCode: Int(code)))), promise: nil)
            case .halfCloseUpstream:
                if let channel = upstream {
                    channel.flush()
                    channel.close(mode: .output).whenFailure { _ in channel.close(promise: nil) }
                    // A peer that never closes its side does not hold the stream: closed after the answer timeout.
                    let timer = channel.eventLoop.scheduleTask(in: TimeAmount(proxy.configuration.answerTimeout)) {
                        channel.close(promise: nil)
                    }
                    timers.append(timer)
                }
            case .closeUpstream:
                upstream?.close(promise: nil)
            case .webSocketOpened:
                countsAsWebSocket = true
                proxy.webSocketOpened()
            }
        }
        if wroteUpstream { upstream?.flush() }
        if wroteClient { context?.flush() }
        resumeClientReads()
        if machine.isDone, let context {
            // The stream's work is over: a client that keeps its side open does not hold it past the answer timeout.
            let channel = context.channel
            let timer = context.eventLoop.scheduleTask(in: TimeAmount(proxy.configuration.answerTimeout)) { channel.close(promise: nil) }
            timers.append(timer)
        }
    }

    /// Counts how an extended CONNECT was answered: its first HEADERS or a reset before any.
    private func countAnswer(status: Int?) {
        guard !answerCounted, machine.kind == .webSocket else { return }
        answerCounted = true
        proxy.metrics.h2WebSocketAnswer(status: status)
    }

    private func schedule(after duration: Duration, _ body: @escaping @Sendable (HTTP2FrontStreamHandler) -> Void) {
        guard let context else { return }
        let timer = context.eventLoop.scheduleTask(in: TimeAmount(max(duration, .zero))) { [self] in body(self) }
        timers.append(timer)
    }

    // MARK: - Upstream

    private func connect(_ original: ProxyRequestHead) {
        guard let context else { return }
        var head = original
        let cookieName: String? = if case .stickyCookie(let name) = proxy.configuration.balancing { name } else { nil }
        let preferred = cookieName.flatMap { head.headers.cookie($0) }.flatMap { Int($0) }
        guard let picked = proxy.pickInstance(preferred: preferred) else {
            perform(machine.upstreamConnectFailed("no upstream instance available"))
            return
        }
        instance = picked
        let upstreamAddress = proxy.configuration.upstreams[picked]
        let clientAddress = context.channel.parent?.remoteAddress?.ipAddress ?? "unknown"
        if let existing = head.headers.first("X-Forwarded-For") {
            head.headers.set("X-Forwarded-For", existing + ", " + clientAddress)
        } else {
            head.headers.add("X-Forwarded-For", clientAddress)
        }
        head.headers.set("X-Forwarded-Proto", "https")

        let tlsContext = upstreamAddress.tls ? proxy.upstreamTLSContext : nil
        let hostForSNI: String? =
            upstreamAddress.host.contains(where: { $0.isLetter }) && !upstreamAddress.host.contains(":") ? upstreamAddress.host : nil
        let upstreamHandler = HTTP2FrontUpstreamHandler(stream: self)
        self.upstreamHandler = upstreamHandler
        let bootstrap = ClientBootstrap(group: context.eventLoop)
            .connectTimeout(TimeAmount(proxy.configuration.upstreamConnectTimeout))
            .channelOption(ChannelOptions.socketOption(.tcp_nodelay), value: 1)
            .channelOption(ChannelOptions.allowRemoteHalfClosure, value: false)
            .channelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    if let tlsContext {
                        try channel.pipeline.syncOperations.addHandler(
                            try NIOSSLClientHandler(context: tlsContext, serverHostname: hostForSNI))
                    }
                    try channel.pipeline.syncOperations.addHandler(upstreamHandler)
                }
            }
        let headBytes = head.encoded()
        bootstrap.connect(host: upstreamAddress.host, port: upstreamAddress.port).hop(to: context.eventLoop).assumeIsolatedUnsafeUnchecked()
            .whenComplete { [self] result in
                switch result {
                case .failure(let error):
                    perform(machine.upstreamConnectFailed("instance \(picked) (\(upstreamAddress)): \(error)"))
                case .success(let channel):
                    guard machine.isConnecting else {
                        channel.close(promise: nil)
                        return
                    }
                    upstream = channel
                    proxy.metrics.bytes(headBytes.count, .upstream)
                    var buffer = channel.allocator.buffer(capacity: headBytes.count)
                    buffer.writeBytes(headBytes)
                    channel.write(buffer, promise: nil)
                    perform(machine.upstreamConnected())
                    channel.flush()
                }
            }
    }
}
