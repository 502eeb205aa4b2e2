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
                tlsSetup = try TLSClientSetup.make(configuration.tls, host: url.host)
                offeredClientCertificate = tlsSetup?.clientCertificate
            } catch {
                setFailure(.tls, "tls-configuration", error.description, at: nowMs())
                record.tls = TLSObservation(verificationDisabled: configuration.tls.insecure, failure: nil, failureDetail: error.description)
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
        let addresses: [SocketAddress]
        if let given = route.addresses {
            addresses = given.compactMap { AddressResolver.literal($0, port: route.port) }
            record.timings.dnsMs = 0
        } else if let literal = AddressResolver.literal(route.host, port: route.port) {
            addresses = [literal]
            record.timings.dnsMs = 0
        } else {
            let outcome = await AddressResolver.resolve(host: route.host, port: route.port, timeout: configuration.timeouts.connect, on: eventLoop)
            record.timings.dnsMs = (ContinuousClock.now - connectStart).milliseconds
            switch outcome {
            case .resolved(let resolved):
                addresses = resolved
            case .failed(let message):
                setFailure(.dns, "dns-failure", message, at: nowMs())
                finishWithoutConnection()
                return
            case .timedOut:
                addFinding(.timeout, "DNS resolution of '\(route.host)' took longer than \(DurationText.format(configuration.timeouts.connect))", at: nowMs())
                setFailure(.dns, "dns-timeout", "DNS resolution of '\(route.host)' did not finish within \(DurationText.format(configuration.timeouts.connect))", at: nowMs())
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
        for address in addresses {
            let remaining = deadline - .now
            guard remaining > .zero else { break }
            let tally = self.tally
            let tlsState = self.tlsState
            let handlerSlot = LockedBox<WireEventHandler?>(nil)
            // The channel lives on this actor's loop: its events reach us without a hop.
            let bootstrap = ClientBootstrap(group: eventLoop)
                .connectTimeout(TimeAmount(remaining))
                .channelOption(.socketOption(.tcp_nodelay), value: 1)
                .channelInitializer { channel in
                    channel.eventLoop.makeCompletedFuture {
                        let sync = channel.pipeline.syncOperations
                        try sync.addHandler(ByteCountingHandler(counters: tally))
                        if let tlsSetup {
                            try sync.addHandler(tlsSetup.makeHandler(recorder: tlsState))
                        }
                        let handler = WireEventHandler()
                        handlerSlot.withLock { $0 = handler }
                        try sync.addHandler(handler)
                    }
                }
            do {
                let channel = try await bootstrap.connect(to: address).get()
                connected = (channel, handlerSlot.value)
                record.connectedAddress = AddressResolver.describe(address)
                break
            } catch {
                lastError = error
            }
        }
        guard let connected else {
            let (kind, detail) = Self.describeConnectError(lastError, timeout: configuration.timeouts.connect)
            if kind == "connect-timeout" { addFinding(.timeout, detail, at: nowMs()) }
            setFailure(.tcp, kind, detail, at: nowMs())
            finishWithoutConnection()
            return
        }
        let tcpDone = nowMs()
        record.timings.tcpMs = (ContinuousClock.now - tcpStart).milliseconds
        tcpDoneAtMs = tcpDone
        channel = connected.channel
        // The phase the first events belong to, then the handler hands over every event (those that
        // came before included, in order) to `deliver`, on the loop.
        if url.isSecure {
            phase = .tls
            record.tls = TLSObservation(verificationDisabled: configuration.tls.insecure)
        } else {
            phase = .upgrading
        }
        if let handler = connected.handler {
            handler.adopt(by: self)
        } else {
            deliver(.inactive(at: .now))
        }

        // TLS.
        if url.isSecure {
            let done = await wait(configuration.timeouts.tlsHandshake) { [self] in phase != .tls }
            if !done {
                addFinding(.timeout, "the TLS handshake did not finish within \(DurationText.format(configuration.timeouts.tlsHandshake))", at: nowMs())
                recordTLSOutcome(failure: .handshakeFailure, detail: "TLS handshake timeout")
                setFailure(.tls, "tls-timeout", "the TLS handshake did not finish within \(DurationText.format(configuration.timeouts.tlsHandshake))", at: nowMs())
                phase = .failing
                dropTransport(.localTimeout)
                _ = await wait(.seconds(2)) { [self] in phase == .ended }
                return
            }
            guard phase == .upgrading else { return }
        }

        await upgrade()
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
            let detail = "no complete response head within \(DurationText.format(configuration.timeouts.upgrade)) of the upgrade request (\(record.timings.firstResponseByteAtMs == nil ? "no byte" : "a partial head") received)"
            addFinding(.timeout, detail, at: nowMs())
            setFailure(.upgrade, "handshake-timeout", detail, at: nowMs())
            phase = .failing
            dropTransport(.localTimeout)
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

    private func startKeepalive(_ keepalive: ClientConfiguration.Keepalive) {
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
        setFailure(.websocket, "keepalive-timeout", detail, at: nowMs())
        _ = sendClose(code: 1011, reason: "keepalive ping timeout")
        let bound = min(configuration.timeouts.close, keepalive.timeout)
        _ = await wait(bound) { [self] in phase == .ended || record.close.received != nil }
        if phase != .ended {
            dropTransport(record.close.received != nil ? .localClose : .localTimeout)
            _ = await wait(.seconds(2)) { [self] in phase == .ended }
        }
        return false
    }

    // MARK: - Ending

    /// Closes the transport ourselves, remembering why (unless a reason is already set).
    func dropTransport(_ end: TransportEnd) {
        guard phase != .ended else { return }
        if localEnd == nil { localEnd = end }
        if let channel { intoChannel { channel.close(promise: nil) } }
    }

    /// Records the end of an attempt that never had a connection.
    private func finishWithoutConnection() {
        record.close = closeObservation(end: .notConnected, atMs: nowMs())
        phase = .ended
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

    static func describeConnectError(_ error: (any Error)?, timeout: Duration) -> (String, String) {
        guard let error else { return ("connect-timeout", "no TCP connection within \(DurationText.format(timeout))") }
        if let channelError = error as? ChannelError, case .connectTimeout = channelError {
            return ("connect-timeout", "no TCP connection within \(DurationText.format(timeout))")
        }
        if let io = error as? IOError {
            switch io.errnoCode {
            case ECONNREFUSED: return ("connection-refused", "connection refused: nothing listens on that port")
            case ENETUNREACH, EHOSTUNREACH: return ("unreachable", "network or host unreachable (\(io))")
            case ETIMEDOUT: return ("connect-timeout", "TCP connect timed out (\(io))")
            case ECONNRESET: return ("reset", "connection reset during the TCP connect")
            default: return ("connect-failed", "TCP connect failed: \(io)")
            }
        }
        return ("connect-failed", "TCP connect failed: \(error)")
    }
}
