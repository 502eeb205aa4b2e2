import Foundation
import NIOCore
import NIOPosix
import NIOSSL
import WebSocketDiagnosis

#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#elseif canImport(Darwin)
    import Darwin
#endif

extension WebSocketConnection {
    // MARK: - Establishing

    /// DNS → TCP → TLS → upgrade, each bounded and recorded; stops at the first failure.
    func establish() async {
        let url = configuration.url
        let tlsSetup: TLSClientSetup?
        if url.isSecure {
            do {
                tlsSetup = try TLSClientSetup.make(
                    configuration.tls, host: url.host,
                    applicationProtocols: http2 == nil ? ["http/1.1"] : HTTP2Transport.applicationProtocols)
                offeredClientCertificate = tlsSetup?.clientCertificate
            } catch {
                setFailure(.tls, .tlsConfiguration, error.description, at: nowMs())
                record.tls = TLSObservation(
                    verificationDisabled: configuration.tls.insecure, failure: nil, failureDetail: error.description)
                finishWithoutConnection()
                return
            }
        } else {
            tlsSetup = nil
        }

        // DNS, explicitly, so that its time and failure are recorded apart from TCP.
        let connectStart = ContinuousClock.now
        let route = configuration.connectTarget()
        if !route.applied.isEmpty { record.route = route.applied.map(\.description).joined(separator: ", ") }
        // Through a forward proxy, DNS and TCP are the proxy's; the target is named in CONNECT.
        let proxy = configuration.proxy.flatMap { $0.applies(to: url.host) ? $0 : nil }
        let dialHost = proxy?.host ?? route.host
        let dialPort = proxy?.port ?? route.port
        if let proxy {
            let target = route.host.contains(":") ? "[\(route.host)]:\(route.port)" : "\(route.host):\(route.port)"
            record.proxy = ProxyObservation(
                proxy: proxy.address, source: proxy.source, target: target, credentialsSent: proxy.username != nil)
        }
        let addresses: [SocketAddress]
        if proxy == nil, let given = route.addresses {
            addresses = given.compactMap { AddressResolver.literal($0, port: route.port) }
            record.timings.dnsMs = 0
        } else if let literal = AddressResolver.literal(dialHost, port: dialPort) {
            addresses = [literal]
            record.timings.dnsMs = 0
        } else {
            let outcome = await AddressResolver.resolve(
                host: dialHost, port: dialPort, timeout: configuration.timeouts.connect, on: eventLoop)
            record.timings.dnsMs = (ContinuousClock.now - connectStart).milliseconds
            switch outcome {
            case .resolved(let resolved):
                addresses = resolved
            case .failed(let message):
                if let proxy {
                    setFailure(
                        .proxy, .proxyDNSFailure, "the proxy \(proxy.address) from \(proxy.source) does not resolve: \(message)",
                        at: nowMs())
                } else {
                    setFailure(.dns, .dnsFailure, message, at: nowMs())
                }
                finishWithoutConnection()
                return
            case .timedOut:
                addFinding(
                    .timeout, "DNS resolution of '\(dialHost)' took longer than \(DurationText.format(configuration.timeouts.connect))",
                    at: nowMs())
                if let proxy {
                    setFailure(
                        .proxy, .proxyDNSFailure,
                        "DNS resolution of the proxy \(proxy.address) did not finish within \(DurationText.format(configuration.timeouts.connect))",
                        at: nowMs())
                } else {
                    setFailure(
                        .dns, .dnsTimeout,
                        "DNS resolution of '\(dialHost)' did not finish within \(DurationText.format(configuration.timeouts.connect))",
                        at: nowMs())
                }
                finishWithoutConnection()
                return
            }
        }
        record.resolvedAddresses = addresses.map(AddressResolver.describe)

        // TCP: each address in resolver order, within what remains of the connect bound.
        let deadline = connectStart + configuration.timeouts.connect
        let tcpStart = ContinuousClock.now
        var lastError: (any Error)?
        var connected: (channel: any Channel, handler: WireEventHandler?)?
        var tunnel: ProxyTunnelHandler?
        for address in addresses {
            let remaining = deadline - .now
            guard remaining > .zero else { break }
            let tally = self.tally
            let tlsState = self.tlsState
            let handlerSlot = LockedBox<WireEventHandler?>(nil)
            let tunnelSlot = LockedBox<ProxyTunnelHandler?>(nil)
            let tunnelTarget = record.proxy?.target ?? ""
            let authorization = proxy?.authorization
            let viaProxy = proxy != nil
            let http2 = self.http2
            // The channel lives on this actor's loop: its events reach us without a hop.
            let bootstrap = ClientBootstrap(group: eventLoop)
                .connectTimeout(TimeAmount(remaining))
                .channelOption(.socketOption(.tcp_nodelay), value: 1)
                .channelInitializer { channel in
                    channel.eventLoop.makeCompletedFuture {
                        let sync = channel.pipeline.syncOperations
                        try sync.addHandler(ByteCountingHandler(counters: tally))
                        if viaProxy {
                            // TLS and the WebSocket handlers come once the tunnel is open.
                            let tunnel = ProxyTunnelHandler(target: tunnelTarget, authorization: authorization)
                            tunnelSlot.withLock { $0 = tunnel }
                            try sync.addHandler(tunnel)
                            return
                        }
                        if let tlsSetup {
                            try sync.addHandler(tlsSetup.makeHandler(recorder: tlsState))
                        }
                        if let http2 { try sync.addHandler(http2.gate(on: channel.eventLoop)) }
                        let handler = WireEventHandler()
                        handlerSlot.withLock { $0 = handler }
                        try sync.addHandler(handler)
                    }
                }
            do {
                let channel = try await bootstrap.connect(to: address).get()
                connected = (channel, handlerSlot.value)
                record.connectedAddress = AddressResolver.describe(address)
                tunnel = tunnelSlot.value
                break
            } catch {
                lastError = error
            }
        }
        guard var connected else {
            let (kind, detail) = Self.describeConnectError(lastError, timeout: configuration.timeouts.connect)
            if kind == .connectTimeout { addFinding(.timeout, detail, at: nowMs()) }
            if let proxy {
                setFailure(
                    .proxy, .proxyConnectFailure,
                    "TCP connect to the proxy \(proxy.address) from \(proxy.source) failed: \(kind): \(detail)", at: nowMs())
            } else {
                setFailure(.tcp, kind, detail, at: nowMs())
            }
            finishWithoutConnection()
            return
        }
        if proxy != nil {
            record.timings.tcpMs = (ContinuousClock.now - tcpStart).milliseconds
            guard let handler = await openTunnel(connected.channel, tunnel, tlsSetup: tlsSetup, since: tcpStart) else { return }
            connected.handler = handler
        }
        let tcpDone = nowMs()
        if proxy == nil { record.timings.tcpMs = (ContinuousClock.now - tcpStart).milliseconds }
        tcpDoneAtMs = tcpDone
        channel = connected.channel
        // The phase the first events belong to, then the handler hands over every event (those that
        // came before included, in order) to `deliver`, on the loop.
        machine.transportConnected(secure: url.isSecure)
        if url.isSecure { record.tls = TLSObservation(verificationDisabled: configuration.tls.insecure) }
        if let handler = connected.handler {
            handler.adopt(by: self)
        } else {
            deliver(.inactive(at: .now))
        }

        // TLS.
        if url.isSecure {
            let done = await wait(configuration.timeouts.tlsHandshake) { [self] in phase != .tls }
            if !done {
                addFinding(
                    .timeout, "the TLS handshake did not finish within \(DurationText.format(configuration.timeouts.tlsHandshake))",
                    at: nowMs())
                recordTLSOutcome(failure: .handshakeFailure, detail: "TLS handshake timeout")
                setFailure(
                    .tls, .tlsTimeout,
                    "the TLS handshake did not finish within \(DurationText.format(configuration.timeouts.tlsHandshake))", at: nowMs())
                perform(machine.tlsTimedOut())
                _ = await wait(.seconds(2)) { [self] in phase == .ended }
                return
            }
            guard phase == .upgrading else { return }
        }

        if let http2 { await upgradeOverHTTP2(http2) } else { await upgrade() }
    }

    /// Writes the upgrade request and waits (bounded) for the response head; reads a rejected response's body.
    private func upgrade() async {
        guard let channel else { return }
        let upgradeStart = ContinuousClock.now
        record.request = request.recorded(by: configuration.redactor)
        let bytes = request.bytes
        // Written from here, on the event loop this actor runs on, with no task in between: on a busy machine
        // a task waits its turn on Swift's cooperative pool behind every other task of the process, and the
        // request would leave seconds late. The instant the write completes is taken on the loop, when the
        // bytes leave for the socket.
        let writtenAt = LockedBox<ContinuousClock.Instant?>(nil)
        let promise = channel.eventLoop.makePromise(of: Void.self)
        promise.futureResult.whenSuccess { writtenAt.withLock { $0 = ContinuousClock.now } }
        channel.writeAndFlush(channel.allocator.buffer(bytes: bytes), promise: promise)
        let remaining = configuration.timeouts.upgrade - (ContinuousClock.now - upgradeStart)
        let headDone = await wait(max(remaining, .zero)) { [self] in phase != .upgrading }
        if let at = writtenAt.value { record.timings.requestWrittenAtMs = ms(at) }
        if !headDone {
            let detail =
                "no complete response head within \(DurationText.format(configuration.timeouts.upgrade)) of the upgrade request (\(record.timings.firstResponseByteAtMs == nil ? "no byte" : "a partial head") received)"
            addFinding(.timeout, detail, at: nowMs())
            setFailure(.upgrade, .handshakeTimeout, detail, at: nowMs())
            perform(machine.upgradeTimedOut())
            _ = await wait(.seconds(2)) { [self] in phase == .ended }
            return
        }
        switch phase {
        case .rejectedBody:
            let left = configuration.timeouts.upgrade - (ContinuousClock.now - upgradeStart)
            _ = await wait(max(min(left, configuration.timeouts.close), .milliseconds(50))) { [self] in
                rejectedBodyDone || phase == .ended
            }
            finishRejectedBody()
            if phase != .ended {
                dropTransport(.localClose)
                _ = await wait(.seconds(2)) { [self] in phase == .ended }
            }
        case .failing:
            _ = await wait(.seconds(2)) { [self] in phase == .ended }
        case .open:
            if let keepalive = configuration.keepalive { startKeepalive(keepalive) }
        default:
            break
        }
    }

    // MARK: - Keepalive

    func startKeepalive(_ keepalive: ClientConfiguration.Keepalive) {
        // On the connection's loop, not the cooperative pool (see EventLoopTaskExecutor).
        keepaliveTask = Task(executorPreference: EventLoopTaskExecutor(eventLoop)) { [weak self] in
            while !Task.isCancelled {
                try? await Task.sleep(for: keepalive.interval)
                guard let self, !Task.isCancelled else { return }
                if await !self.keepaliveTick(keepalive) { return }
            }
        }
    }

    /// One keepalive round: ping, and when no pong comes, send 1011 and give up. Returns whether to go on.
    private func keepaliveTick(_ keepalive: ClientConfiguration.Keepalive) async -> Bool {
        guard phase == .open else { return false }
        if await ping(timeout: keepalive.timeout) != nil { return phase == .open }
        guard phase == .open else { return false }
        let detail = "no pong within \(DurationText.format(keepalive.timeout)) of our keepalive ping: sent close 1011"
        addFinding(.keepaliveTimeout, detail, at: nowMs())
        setFailure(.websocket, .keepaliveTimeout, detail, at: nowMs())
        perform(machine.keepaliveTimedOut())
        let bound = min(configuration.timeouts.close, keepalive.timeout)
        _ = await wait(bound) { [self] in phase == .ended || record.close.received != nil }
        if phase != .ended {
            perform(machine.closeTimedOut())
            _ = await wait(.seconds(2)) { [self] in phase == .ended }
        }
        return false
    }

    // MARK: - Ending

    /// Closes the transport ourselves, remembering why (unless a reason is already set).
    func dropTransport(_ end: TransportEnd) {
        perform(machine.closeTransport(end))
    }

    /// Records the end of an attempt that never had a connection.
    /// Waits (bounded by the connect timeout) for the proxy's answer to CONNECT; on a 2xx the tunnel handler
    /// gives way to TLS and the WebSocket handlers and the new event handler is returned, otherwise the
    /// failure is recorded at the proxy stage, the connection closed and `nil` returned.
    private func openTunnel(
        _ channel: any Channel, _ tunnel: ProxyTunnelHandler?, tlsSetup: TLSClientSetup?, since start: ContinuousClock.Instant
    ) async
        -> WireEventHandler?
    {
        let timeout = configuration.timeouts.connect
        let outcome: ProxyTunnelHandler.Outcome
        if let tunnel {
            let promise = channel.eventLoop.makePromise(of: ProxyTunnelHandler.Outcome.self)
            let reason = "no answer to CONNECT within \(DurationText.format(timeout))"
            channel.eventLoop.execute { tunnel.deliver(to: promise) }
            let timer = channel.eventLoop.scheduleTask(in: TimeAmount(timeout)) { tunnel.giveUp(reason) }
            outcome = (try? await promise.futureResult.get()) ?? .closed("the proxy tunnel was abandoned")
            timer.cancel()
        } else {
            outcome = .closed("no tunnel handler")
        }
        record.proxy?.durationMs = (ContinuousClock.now - start).milliseconds
        let fail: (ProbeFailureKind, String) -> WireEventHandler? = { [self] kind, detail in
            setFailure(.proxy, kind, detail, at: nowMs())
            channel.close(promise: nil)
            finishWithoutConnection()
            return nil
        }
        switch outcome {
        case .answered(let head, _):
            record.proxy?.status = head.status
            record.proxy?.reason = head.reasonPhrase.isEmpty ? nil : configuration.redactor.text(String(head.reasonPhrase.prefix(200)))
            if let server = head.headers.first(where: { $0.name.lowercased() == "server" || $0.name.lowercased() == "via" })?.value {
                record.proxy?.server = configuration.redactor.text(String(server.prefix(200)))
            }
            guard (200..<300).contains(head.status) else {
                return fail(.proxyRefused, "the proxy answered CONNECT with HTTP \(head.status) \(record.proxy?.reason ?? "")")
            }
        case .malformed(let detail):
            return fail(.proxyMalformed, detail)
        case .closed(let detail):
            if detail.hasPrefix("no answer") { addFinding(.timeout, detail, at: nowMs()) }
            return fail(detail.hasPrefix("no answer") ? .proxyTimeout : .proxyClosed, detail)
        }
        // The proxy's bytes are not the server's: what tells a plaintext port starts after the tunnel.
        tally.withLock {
            $0.firstBytes = []
            $0.handshake = TLSHandshakeSniffer()
        }
        let tlsState = self.tlsState
        let http2 = self.http2
        do {
            return try await channel.eventLoop.submit {
                let sync = channel.pipeline.syncOperations
                if let tlsSetup { try sync.addHandler(tlsSetup.makeHandler(recorder: tlsState)) }
                if let http2 { try sync.addHandler(http2.gate(on: channel.eventLoop)) }
                let handler = WireEventHandler()
                try sync.addHandler(handler)
                if let tunnel { sync.removeHandler(tunnel, promise: nil) }
                return handler
            }.get()
        } catch {
            return fail(.proxyClosed, "the tunnel could not be set up: \(error)")
        }
    }

    private func finishWithoutConnection() {
        record.close = closeObservation(end: .notConnected, atMs: nowMs())
        machine.notConnected()
        checkWaiters()
    }

    /// Stores what was read of a rejected upgrade's body.
    func finishRejectedBody() {
        guard var handshake = record.handshake else { return }
        handshake.bodyBytes = rejectedBodyTotal
        handshake.bodyPreview = rejectedBody.isEmpty ? nil : configuration.redactor.text(String(decoding: rejectedBody, as: UTF8.self))
        record.handshake = handshake
    }

    func recordTLSOutcome(failure: TLSFailureReason?, detail: String?) {
        let state = tlsState.value
        var observation = record.tls ?? TLSObservation()
        observation.verificationDisabled = configuration.tls.insecure
        observation.chain = state.chain
        observation.verified = failure == nil && state.verified && !configuration.tls.insecure
        observation.failure = failure
        observation.failureDetail = detail.map(configuration.redactor.text)
        observation.clientCertificate = offeredClientCertificate
        if tally.value.handshake.certificateRequested || failure == .clientCertificateRequired {
            observation.clientCertificateRequested = true
        }
        record.tls = observation
    }

    static func describeConnectError(_ error: (any Error)?, timeout: Duration) -> (ProbeFailureKind, String) {
        guard let error else { return (.connectTimeout, "no TCP connection within \(DurationText.format(timeout))") }
        if let channelError = error as? ChannelError, case .connectTimeout = channelError {
            return (.connectTimeout, "no TCP connection within \(DurationText.format(timeout))")
        }
        if let io = error as? IOError {
            switch io.errnoCode {
            case ECONNREFUSED: return (.connectionRefused, "connection refused: nothing listens on that port")
            case ENETUNREACH, EHOSTUNREACH: return (.unreachable, "network or host unreachable (\(io))")
            case ETIMEDOUT: return (.connectTimeout, "TCP connect timed out (\(io))")
            case ECONNRESET: return (.reset, "connection reset during the TCP connect")
            default: return (.connectFailed, "TCP connect failed: \(io)")
            }
        }
        return (.connectFailed, "TCP connect failed: \(error)")
    }
}
