import NIOCore
import NIOPosix
import NIOSSL

/// One client connection through the proxy: request head, upstream connect, response head, then
/// the tunnel in both directions with faults applied.
///
/// Loop-bound: every method runs on the event loop of the client channel, which the upstream
/// channel shares; hence `@unchecked Sendable` (timers and futures hop back onto that loop).
final class ProxyConnection: @unchecked Sendable {
    enum Phase { case readingRequest, handshaking, awaitingResponse, tunnel, closed }

    let proxy: FaultProxy
    let eventLoop: any EventLoop
    let connectedAt = NIODeadline.now()
    var phase = Phase.readingRequest

    var clientHandler: ProxySideHandler?
    var serverHandler: ProxySideHandler?
    var client: Channel?
    var server: Channel?
    var clientOpen = true
    var serverOpen = false

    var requestParser: HTTPHeadParser
    var responseParser: HTTPHeadParser
    var isUpgradeRequest = false
    var upgradeForwarded = false
    var isWebSocket = false
    var pendingToServer: ByteBuffer?
    var instance: Int?
    var stickyCookie: (name: String, value: String)?

    /// Faults rolled for this connection at accept (frame faults are looked up live).
    var plan: [ConfiguredFault] = []
    var upFrameFaults: [ConfiguredFault] = []
    var downFrameFaults: [ConfiguredFault] = []
    var frameFaultGeneration = -1

    let up = TunnelDirection(direction: .upstream)
    let down = TunnelDirection(direction: .downstream)
    var timers: [Scheduled<Void>] = []
    var endedBy: ProxyMetrics.EndedBy?
    var finished = false

    init(proxy: FaultProxy, eventLoop: any EventLoop) {
        self.proxy = proxy
        self.eventLoop = eventLoop
        requestParser = HTTPHeadParser(maxBytes: proxy.configuration.maxHeadBytes)
        responseParser = HTTPHeadParser(maxBytes: proxy.configuration.maxHeadBytes)
    }

    func direction(from side: ProxySideHandler.Side) -> TunnelDirection { side == .client ? up : down }

    // MARK: - Events from the handlers

    func clientConnected(handler: ProxySideHandler, channel: Channel) {
        clientHandler = handler
        client = channel
        plan = proxy.rollFaults()
        proxy.metrics.connectionOpened()
        proxy.register(self)
        for configured in plan {
            guard let timed = configured.fault as? any ConnectionTimerFault else { continue }
            for timer in timed.timers(direction: configured.direction) where timer.start == .connect {
                arm(timer)
            }
        }
        // A client that never finishes its request head does not hold the connection forever.
        schedule(after: proxy.configuration.upstreamResponseTimeout) { connection in
            if connection.phase == .readingRequest { connection.end(.closeTransport, by: .proxy) }
        }
    }

    func received(_ buffer: ByteBuffer, from side: ProxySideHandler.Side) {
        switch (phase, side) {
        case (.readingRequest, .client):
            switch requestParser.feed(buffer) {
            case .needMore: return
            case .tooLarge: respondAndClose(status: 431, body: "request head larger than \(proxy.configuration.maxHeadBytes) bytes")
            case .complete(let lines, let rest): requestHeadComplete(lines: lines, rest: rest)
            }
        case (.handshaking, .client):
            appendPending(buffer)
        case (.awaitingResponse, .client) where isUpgradeRequest:
            // Held until the upgrade is answered (a client must wait for the 101).
            appendPending(buffer)
        case (.awaitingResponse, .client):
            server?.write(buffer, promise: nil)
            proxy.metrics.bytes(buffer.readableBytes, .upstream)
        case (.awaitingResponse, .server):
            switch responseParser.feed(buffer) {
            case .needMore: return
            case .tooLarge: respondAndClose(status: 502, body: "Bad Gateway: upstream response head too large")
            case .complete(let lines, let rest): responseHeadComplete(lines: lines, rest: rest)
            }
        case (.tunnel, _):
            forward(buffer, direction(from: side))
        default:
            return
        }
    }

    /// One flush per read batch (writes of the batch were queued without flushing).
    func readComplete(from side: ProxySideHandler.Side) {
        if side == .client {
            if serverHandler?.flushDirect() != true { server?.flush() }
        } else {
            if clientHandler?.flushDirect() != true { client?.flush() }
        }
    }

    /// The handler facing the destination of `d` (nil before the upstream connects or after the end).
    func destinationHandler(_ d: TunnelDirection) -> ProxySideHandler? {
        d.direction == .upstream ? serverHandler : clientHandler
    }

    func sideClosed(_ side: ProxySideHandler.Side) {
        switch side {
        case .client:
            guard clientOpen else { return }
            clientOpen = false
            if endedBy == nil { endedBy = .client }
            if phase == .tunnel, serverOpen {
                finishSource(up)
            } else {
                server?.close(promise: nil)
            }
        case .server:
            guard serverOpen else { return }
            serverOpen = false
            if endedBy == nil { endedBy = .upstream }
            if phase == .tunnel, clientOpen {
                finishSource(down)
            } else if phase == .awaitingResponse, clientOpen {
                respondAndClose(status: 502, body: "Bad Gateway: upstream closed the connection before answering")
            } else {
                client?.close(promise: nil)
            }
        }
        if !clientOpen, !serverOpen || server == nil { finish() }
    }

    func sideFailed(_ side: ProxySideHandler.Side, error: any Error) {
        if endedBy == nil { endedBy = side == .client ? .client : .upstream }
    }

    func writabilityChanged(_ side: ProxySideHandler.Side) {
        // `side`'s channel changed writability: the peer feeding it may read again.
        (side == .client ? serverHandler : clientHandler)?.resumeIfPossible()
    }

    func mayRead(_ side: ProxySideHandler.Side) -> Bool {
        switch (phase, side) {
        case (.readingRequest, .client): true
        case (.handshaking, .client): false
        case (.awaitingResponse, .client): !isUpgradeRequest && (server?.isWritable ?? false)
        case (.awaitingResponse, .server): true
        case (.tunnel, _):
            direction(from: side).blocked || direction(from: side).canAccept(limit: proxy.configuration.maxQueuedBytes)
        default: false
        }
    }

    // MARK: - Ending

    /// Ends the connection the way a fault or the proxy decides.
    func end(_ action: ConnectionAction, by: ProxyMetrics.EndedBy) {
        guard phase != .closed else { return }
        if endedBy == nil { endedBy = by }
        switch action {
        case .closeTransport:
            closeBoth()
        case .reset:
            // SO_LINGER 0 makes close() send RST instead of FIN.
            for channel in [client, server].compactMap({ $0 }) {
                if let provider = channel as? any SocketOptionProvider {
                    provider.setSoLinger(linger(l_onoff: 1, l_linger: 0)).whenComplete { _ in channel.close(promise: nil) }
                } else {
                    channel.close(promise: nil)
                }
            }
            if server == nil, !clientOpen { finish() }
        case .injectClose(let code, let reason, let direction):
            injectClose(code: code, reason: reason, direction: direction)
        }
    }

    func closeBoth() {
        client?.close(promise: nil)
        server?.close(promise: nil)
        if server == nil, !clientOpen { finish() }
    }

    /// Answers the client directly and closes (nothing more goes upstream).
    func respondAndClose(status: Int, body: String) {
        if endedBy == nil { endedBy = .proxy }
        if isUpgradeRequest { proxy.metrics.upgrade(status: status) }
        phase = .closed
        server?.close(promise: nil)
        guard let client, clientOpen else { finish(); return }
        var buffer = client.allocator.buffer(capacity: 256)
        buffer.writeBytes(ProxyResponseHead.simple(status: status, body: body))
        client.writeAndFlush(buffer).whenComplete { _ in client.close(promise: nil) }
    }

    func finish() {
        guard !finished else { return }
        finished = true
        phase = .closed
        for timer in timers { timer.cancel() }
        timers.removeAll()
        up.timer?.cancel()
        down.timer?.cancel()
        if isWebSocket { proxy.webSocketClosed() }
        proxy.metrics.connectionClosed(by: endedBy ?? .proxy)
        proxy.unregister(self)
        clientHandler = nil
        serverHandler = nil
    }

    // MARK: - Timers

    func schedule(after duration: Duration, _ body: @escaping @Sendable (ProxyConnection) -> Void) {
        let task = eventLoop.scheduleTask(in: TimeAmount(max(duration, .zero))) { [self] in
            guard phase != .closed else { return }
            body(self)
        }
        timers.append(task)
    }

    func arm(_ timer: ConnectionTimer) {
        switch timer.start {
        case .connect, .upgrade:
            let action = timer.action
            schedule(after: timer.after) { connection in connection.end(action, by: .proxy) }
        case .idle(let direction):
            armIdle(timer, direction: direction)
        }
    }

    private func armIdle(_ timer: ConnectionTimer, direction: FaultDirection) {
        let last: NIODeadline =
            switch direction {
            case .upstream: up.lastActivity
            case .downstream: down.lastActivity
            case .both: max(up.lastActivity, down.lastActivity)
            }
        let deadline = last + TimeAmount(timer.after)
        let now = NIODeadline.now()
        if deadline <= now {
            end(timer.action, by: .proxy)
            return
        }
        let task = eventLoop.scheduleTask(deadline: deadline) { [self] in
            guard phase != .closed else { return }
            armIdle(timer, direction: direction)
        }
        timers.append(task)
    }

    private func appendPending(_ buffer: ByteBuffer) {
        var buffer = buffer
        if pendingToServer == nil {
            pendingToServer = buffer
        } else {
            pendingToServer?.writeBuffer(&buffer)
        }
    }
}
