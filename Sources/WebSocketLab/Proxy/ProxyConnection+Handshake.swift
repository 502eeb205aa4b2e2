import NIOCore
import NIOPosix
import NIOSSL

extension ProxyConnection {
    // MARK: - Request

    /// The request head is in: the handshake faults may answer it, delay it or edit it.
    func applyRequestFaults(_ original: ProxyRequestHead) {
        var head = original
        let context = proxy.noteRequest(isUpgrade: original.isWebSocketUpgrade)
        var delay = Duration.zero
        for configured in plan where configured.direction.includes(.upstream) {
            guard let fault = configured.fault as? any HandshakeFault else { continue }
            switch fault.request(&head, context: context) {
            case .forward: continue
            case .delay(let d): delay += d
            case .respond(let status, let body):
                perform(machine.refuse(status: status, body: body))
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
        guard machine.upstreamDue(), let client else { return }
        var head = original
        let cookieName: String? = if case .stickyCookie(let name) = proxy.configuration.balancing { name } else { nil }
        let preferred = cookieName.flatMap { head.headers.cookie($0) }.flatMap { Int($0) }
        guard let picked = proxy.pickInstance(preferred: preferred) else {
            perform(machine.refuse(status: 503, body: "Service Unavailable: no upstream instance available"))
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
        let forwardsUpgrade = head.isWebSocketUpgrade
        if !forwardsUpgrade, head.version == "HTTP/1.1" {
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
                        try channel.pipeline.syncOperations.addHandler(
                            try NIOSSLClientHandler(context: tlsContext, serverHostname: hostForSNI))
                    }
                    try channel.pipeline.syncOperations.addHandler(ProxySideHandler(side: .server, connection: self))
                }
            }
        let headBytes = head.encoded()
        let maxHeadBytes = proxy.configuration.maxHeadBytes
        bootstrap.connect(host: upstream.host, port: upstream.port).hop(to: eventLoop).whenComplete { [self] result in
            switch result {
            case .failure(let error):
                perform(
                    machine.refuse(status: 502, body: "Bad Gateway: cannot connect to upstream instance \(picked) (\(upstream)): \(error)"))
            case .success(let channel):
                let pending: ByteBuffer?
                switch machine.upstreamConnected(forwardsUpgrade: forwardsUpgrade, maxHeadBytes: maxHeadBytes) {
                case .sendRequest(let held):
                    pending = held
                case .closeStray:
                    // The connection moved on (the client left, a fault or the proxy ended it): this channel,
                    // not `server`, is the one to close.
                    channel.close(promise: nil)
                    return
                }
                server = channel
                serverHandler = try? channel.pipeline.syncOperations.handler(type: ProxySideHandler.self)
                up.destination = channel
                down.destination = client
                var buffer = channel.allocator.buffer(capacity: headBytes.count + (pending?.readableBytes ?? 0))
                buffer.writeBytes(headBytes)
                if var pending { buffer.writeBuffer(&pending) }
                proxy.metrics.bytes(buffer.readableBytes, .upstream)
                channel.writeAndFlush(buffer, promise: nil)
                handshakeTimers.append(
                    schedule(after: proxy.configuration.upstreamResponseTimeout) { connection in
                        connection.perform(connection.machine.responseTimedOut())
                    })
                clientHandler?.resumeIfPossible()
            }
        }
    }

    // MARK: - Response

    /// The response head is in: the response faults edit it, then it goes to the client and the tunnel opens.
    func relayResponse(_ original: ProxyResponseHead, rest: ByteBuffer, answersUpgrade: Bool) {
        guard let client else { return }
        var head = original
        let context = HandshakeContext(isUpgrade: answersUpgrade, openWebSockets: proxy.openWebSocketCount, upgradeRequestNumber: 0)
        for configured in plan where configured.direction.includes(.downstream) {
            (configured.fault as? any HandshakeFault)?.response(&head, context: context)
        }
        if let stickyCookie { head.headers.add("Set-Cookie", "\(stickyCookie.name)=\(stickyCookie.value); Path=/; HttpOnly") }
        if let (name, value) = servedBy { head.headers.set(name, value) }
        guard case .openTunnel(let webSocket, let pending) = machine.responseRelayed(status: head.status) else { return }
        cancelHandshakeTimers()
        if answersUpgrade { proxy.metrics.upgrade(status: head.status) }
        if webSocket {
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
        if rest.readableBytes > 0 { forward(rest, down, webSocket: webSocket, countBytes: false) }
        client.flush()
        if let pending, let server {
            if webSocket { forward(pending, up, webSocket: true) } else { server.writeAndFlush(pending, promise: nil) }
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
