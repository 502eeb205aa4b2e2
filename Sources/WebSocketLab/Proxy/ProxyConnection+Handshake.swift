import NIOCore
import NIOPosix
import NIOSSL

extension ProxyConnection {
    // MARK: - Request

    func requestHeadComplete(lines: [String], rest: ByteBuffer) {
        guard var head = ProxyRequestHead(lines: lines) else {
            respondAndClose(status: 400, body: "malformed HTTP request head")
            return
        }
        isUpgradeRequest = head.isWebSocketUpgrade
        phase = .handshaking
        if rest.readableBytes > 0 { pendingToServer = rest }
        let context = proxy.noteRequest(isUpgrade: isUpgradeRequest)
        var delay = Duration.zero
        for configured in plan where configured.direction.includes(.upstream) {
            guard let fault = configured.fault as? any HandshakeFault else { continue }
            switch fault.request(&head, context: context) {
            case .forward: continue
            case .delay(let d): delay += d
            case .respond(let status, let body):
                respondAndClose(status: status, body: body)
                return
            }
        }
        if delay > .zero {
            let delayed = head
            schedule(after: delay) { connection in connection.connectUpstream(delayed) }
        } else {
            connectUpstream(head)
        }
    }

    func connectUpstream(_ original: ProxyRequestHead) {
        guard phase == .handshaking, clientOpen, let client else { return }
        var head = original
        let cookieName: String? = if case .stickyCookie(let name) = proxy.configuration.balancing { name } else { nil }
        let preferred = cookieName.flatMap { head.headers.cookie($0) }.flatMap { Int($0) }
        guard let picked = proxy.pickInstance(preferred: preferred) else {
            respondAndClose(status: 503, body: "Service Unavailable: no upstream instance available")
            return
        }
        instance = picked
        proxy.assign(self, to: picked)
        if let cookieName, preferred != picked { stickyCookie = (cookieName, String(picked)) }
        let upstream = proxy.configuration.upstreams[picked]

        // X-Forwarded-*: append the client to the chain, say how it reached us.
        let clientAddress = client.remoteAddress?.ipAddress ?? "unknown"
        if let existing = head.headers.first("X-Forwarded-For") {
            head.headers.set("X-Forwarded-For", existing + ", " + clientAddress)
        } else {
            head.headers.add("X-Forwarded-For", clientAddress)
        }
        head.headers.set("X-Forwarded-Proto", proxy.configuration.tls == nil ? "http" : "https")
        upgradeForwarded = head.isWebSocketUpgrade
        if !upgradeForwarded, head.version == "HTTP/1.1" {
            // One request per upstream connection: the tunnel ends with the response.
            head.headers.set("Connection", "close")
        }

        let tlsContext = upstream.tls ? proxy.upstreamTLSContext : nil
        let hostForSNI: String? = upstream.host.contains(where: { $0.isLetter }) && !upstream.host.contains(":") ? upstream.host : nil
        let bootstrap = ClientBootstrap(group: eventLoop)
            .connectTimeout(TimeAmount(proxy.configuration.upstreamConnectTimeout))
            .channelOption(ChannelOptions.socketOption(.tcp_nodelay), value: 1)
            .channelInitializer { [self] channel in
                channel.eventLoop.makeCompletedFuture {
                    if let tlsContext {
                        try channel.pipeline.syncOperations.addHandler(try NIOSSLClientHandler(context: tlsContext, serverHostname: hostForSNI))
                    }
                    let handler = ProxySideHandler(side: .server, connection: self)
                    self.serverHandler = handler
                    try channel.pipeline.syncOperations.addHandler(handler)
                }
            }
        let headBytes = head.encoded()
        bootstrap.connect(host: upstream.host, port: upstream.port).hop(to: eventLoop).whenComplete { [self] result in
            switch result {
            case .failure(let error):
                respondAndClose(status: 502, body: "Bad Gateway: cannot connect to upstream instance \(picked) (\(upstream)): \(error)")
            case .success(let channel):
                guard clientOpen, phase == .handshaking else {
                    channel.close(promise: nil)
                    return
                }
                server = channel
                serverOpen = true
                up.destination = channel
                down.destination = client
                phase = .awaitingResponse
                var buffer = channel.allocator.buffer(capacity: headBytes.count + (pendingToServer?.readableBytes ?? 0))
                buffer.writeBytes(headBytes)
                if !isUpgradeRequest, var pending = pendingToServer {
                    buffer.writeBuffer(&pending)
                    pendingToServer = nil
                }
                proxy.metrics.bytes(buffer.readableBytes, .upstream)
                channel.writeAndFlush(buffer, promise: nil)
                schedule(after: proxy.configuration.upstreamResponseTimeout) { connection in
                    if connection.phase == .awaitingResponse {
                        connection.respondAndClose(status: 504, body: "Gateway Timeout: upstream did not answer in time")
                    }
                }
                clientHandler?.resumeIfPossible()
            }
        }
    }

    // MARK: - Response

    func responseHeadComplete(lines: [String], rest: ByteBuffer) {
        guard var head = ProxyResponseHead(lines: lines), let client else {
            respondAndClose(status: 502, body: "Bad Gateway: malformed upstream response head")
            return
        }
        let context = HandshakeContext(isUpgrade: isUpgradeRequest, openWebSockets: proxy.openWebSocketCount, upgradeRequestNumber: 0)
        for configured in plan where configured.direction.includes(.downstream) {
            (configured.fault as? any HandshakeFault)?.response(&head, context: context)
        }
        if let stickyCookie { head.headers.add("Set-Cookie", "\(stickyCookie.name)=\(stickyCookie.value); Path=/; HttpOnly") }
        if isUpgradeRequest { proxy.metrics.upgrade(status: head.status) }
        phase = .tunnel
        if head.status == 101, upgradeForwarded {
            isWebSocket = true
            proxy.webSocketOpened()
            let now = NIODeadline.now()
            up.lastActivity = now
            down.lastActivity = now
            for configured in plan {
                guard let timed = configured.fault as? any ConnectionTimerFault else { continue }
                for timer in timed.timers(direction: configured.direction) where timer.start != .connect {
                    arm(timer)
                }
            }
        }
        up.stages = makeStages(.upstream)
        down.stages = makeStages(.downstream)
        var buffer = client.allocator.buffer(capacity: 512)
        buffer.writeBytes(head.encoded())
        proxy.metrics.bytes(buffer.readableBytes + rest.readableBytes, .downstream)
        client.write(buffer, promise: nil)
        if rest.readableBytes > 0 { forward(rest, down, countBytes: false) }
        client.flush()
        if var pending = pendingToServer, let server {
            pendingToServer = nil
            let copy = pending.readSlice(length: pending.readableBytes) ?? pending
            if isWebSocket { forward(copy, up) } else { server.writeAndFlush(copy, promise: nil) }
            server.flush()
        }
        clientHandler?.resumeIfPossible()
        serverHandler?.resumeIfPossible()
    }

    private func makeStages(_ direction: FaultDirection) -> [any StreamStage] {
        plan.compactMap { configured in
            guard configured.direction.includes(direction), let fault = configured.fault as? any StreamFault else { return nil }
            return fault.makeStage(random: configured.random)
        }
    }
}
