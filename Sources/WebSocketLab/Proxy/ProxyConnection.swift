import NIOCore
import NIOPosix
import NIOSSL

/// One client connection through the proxy: request head, upstream connect, response head, then
/// the tunnel in both directions with faults applied.
///
/// The shell around ``ProxyConnectionStateMachine``: it feeds the machine what its channels, timers
/// and faults report and performs the actions the machine returns (writes, closes, fault hooks,
/// metrics). The machine decides; this class holds the channels, the fault plan and the tunnel's
/// output queues.
///
/// Loop-bound: every method runs on the event loop of the client channel, which the upstream
/// channel shares; hence `@unchecked Sendable` (timers and futures hop back onto that loop).
final class ProxyConnection: @unchecked Sendable {
    let proxy: FaultProxy
    let eventLoop: any EventLoop
    let connectedAt = NIODeadline.now()
    /// The connection's decisions.
    var machine: ProxyConnectionStateMachine

    var clientHandler: ProxySideHandler?
    var serverHandler: ProxySideHandler?
    var client: Channel?
    var server: Channel?

    /// The upstream instance picked for this connection (its index in the configuration); `nil` before the pick.
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
    /// The bounds on the request and response heads: cancelled when the tunnel opens, so that a long-lived
    /// tunnel leaves nothing in the event loop's timer heap (which the loop looks at on every tick).
    var handshakeTimers: [Scheduled<Void>] = []

    init(proxy: FaultProxy, eventLoop: any EventLoop) {
        self.proxy = proxy
        self.eventLoop = eventLoop
        machine = ProxyConnectionStateMachine(maxHeadBytes: proxy.configuration.maxHeadBytes)
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
        handshakeTimers.append(
            schedule(after: proxy.configuration.clientHeadTimeout) { connection in
                connection.perform(connection.machine.requestTimedOut())
            })
    }

    func received(_ buffer: ByteBuffer, from side: ProxySideHandler.Side) {
        if let route = machine.tunnelRoute(from: side) {
            // Tunnel bytes leave the machine as it is: only read, not modified (no exclusive access, no action to build).
            forward(buffer, route.direction == .upstream ? up : down, webSocket: route.webSocket)
            return
        }
        switch machine.received(buffer, from: side) {
        case .forward(let direction, let webSocket):
            forward(buffer, direction == .upstream ? up : down, webSocket: webSocket)
        case .forwardRequestBody:
            server?.write(buffer, promise: nil)
            proxy.metrics.bytes(buffer.readableBytes, .upstream)
        case .applyRequestFaults(let head):
            applyRequestFaults(head)
        case .relayResponse(let head, let rest, let answersUpgrade):
            relayResponse(head, rest: rest, answersUpgrade: answersUpgrade)
        case let action:
            perform(action)
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
        perform(machine.closed(side))
    }

    func sideFailed(_ side: ProxySideHandler.Side, error: any Error) {
        machine.failed(side)
    }

    func writabilityChanged(_ side: ProxySideHandler.Side) {
        // `side`'s channel changed writability: the peer feeding it may read again.
        (side == .client ? serverHandler : clientHandler)?.resumeIfPossible()
    }

    func mayRead(_ side: ProxySideHandler.Side) -> Bool {
        switch machine.readPolicy(side) {
        case .whenTunnelAccepts:
            let d = direction(from: side)
            return d.blocked || d.canAccept(limit: proxy.configuration.maxQueuedBytes)
        case .read: return true
        case .hold: return false
        case .whenUpstreamWritable: return server?.isWritable ?? false
        }
    }

    // MARK: - Actions

    /// Carries out what the machine decided. Actions that need the bytes or head of their event are
    /// performed where that event arrives and never reach here.
    func perform(_ action: ProxyConnectionStateMachine.Action) {
        switch action {
        case .none:
            return
        case .respond(let status, let body, let closeUpstream, let answersUpgrade):
            respondAndClose(status: status, body: body, closeUpstream: closeUpstream, answersUpgrade: answersUpgrade)
        case .closeUpstream:
            server?.close(promise: nil)
        case .passEnd(let direction):
            finishSource(direction == .upstream ? up : down)
        case .closeBoth(let reset):
            closeBoth(reset: reset)
        case .injectClose(let code, let reason, let toClient, let toServer):
            injectClose(code: code, reason: reason, toClient: toClient, toServer: toServer)
        case .finish(let finish):
            self.finish(finish)
        case .forward, .forwardRequestBody, .applyRequestFaults, .relayResponse, .openTunnel:
            assertionFailure("\(action) is performed by the event that returns it")
        }
    }

    /// Ends the connection the way a fault or the proxy decides.
    func end(_ action: ConnectionAction, by: ProxyMetrics.EndedBy) {
        perform(machine.end(action, by: by))
    }

    private func closeBoth(reset: Bool) {
        for channel in [client, server].compactMap({ $0 }) {
            // SO_LINGER 0 makes close() send RST instead of FIN.
            if reset, let provider = channel as? any SocketOptionProvider {
                provider.setSoLinger(linger(l_onoff: 1, l_linger: 0)).whenComplete { _ in channel.close(promise: nil) }
            } else {
                channel.close(promise: nil)
            }
        }
    }

    /// The `X-Served-By: instance-N` header that names the upstream instance picked for this connection, as a
    /// front that names its backends does (Fastly's `X-Served-By`; nginx's `add_header … $upstream_addr`):
    /// on the upstream's answer and on the proxy's own 502/504 once an instance was picked. `nil` before the pick.
    var servedBy: (String, String)? { instance.map { ("X-Served-By", "instance-\($0)") } }

    /// Answers the client directly and closes (nothing more goes upstream).
    private func respondAndClose(status: Int, body: String, closeUpstream: Bool, answersUpgrade: Bool) {
        if answersUpgrade { proxy.metrics.upgrade(status: status) }
        if closeUpstream { server?.close(promise: nil) }
        guard let client else { return }
        var buffer = client.allocator.buffer(capacity: 256)
        buffer.writeBytes(ProxyResponseHead.simple(status: status, body: body, extraHeaders: servedBy.map { [$0] } ?? []))
        client.writeAndFlush(buffer).whenComplete { _ in client.close(promise: nil) }
        // A client that does not read would hold the connection until the kernel gave up: the answer has
        // a deadline. Not a `schedule` timer: those stop mattering once the connection is closing.
        let deadline = eventLoop.scheduleTask(in: TimeAmount(proxy.configuration.answerTimeout)) { [self] in
            perform(machine.answerDeadlinePassed())
        }
        timers.append(deadline)
    }

    private func finish(_ finish: ProxyConnectionStateMachine.Finish) {
        for timer in timers { timer.cancel() }
        timers.removeAll()
        handshakeTimers.removeAll()
        up.timer?.cancel()
        down.timer?.cancel()
        if finish.closesWebSocket { proxy.webSocketClosed() }
        proxy.metrics.connectionClosed(by: finish.endedBy)
        proxy.unregister(self)
        clientHandler = nil
        serverHandler = nil
    }

    // MARK: - Timers

    @discardableResult
    func schedule(after duration: Duration, _ body: @escaping @Sendable (ProxyConnection) -> Void) -> Scheduled<Void> {
        let task = eventLoop.scheduleTask(in: TimeAmount(max(duration, .zero))) { [self] in
            guard machine.isLive else { return }
            body(self)
        }
        timers.append(task)
        return task
    }

    /// The tunnel is open: the head bounds can no longer fire anything.
    func cancelHandshakeTimers() {
        for timer in handshakeTimers { timer.cancel() }
        handshakeTimers.removeAll()
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
        up.tracksActivity = true
        down.tracksActivity = true
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
            guard machine.isLive else { return }
            armIdle(timer, direction: direction)
        }
        timers.append(task)
    }
}
