import Foundation
import NIOCore
import NIOHTTP2
import NIOPosix
import NIOSSL
import WebSocketDiagnosis

/// The WebSockets-over-HTTP/2 check of a `wss://` target (RFC 8441): what a browser would do.
///
/// Opens its own TLS connection offering ALPN `h2` and `http/1.1` and records what was selected. Over
/// HTTP/2 it records the server's SETTINGS and, when `SETTINGS_ENABLE_CONNECT_PROTOCOL = 1` is advertised,
/// sends the extended CONNECT (`:method CONNECT`, `:protocol websocket`, `:scheme https`, `:path`,
/// `:authority`, `sec-websocket-version: 13`, the configuration's subprotocols and headers — the same
/// credentials as the HTTP/1.1 attempt) and, when it is answered 200, one WebSocket ping over the stream,
/// then the profile's first message (``message``), when there is one: the stream works only when both
/// are answered.
///
/// Every wait is bounded by the configuration's timeouts (connect, TLS handshake, `upgrade` for the
/// SETTINGS and for the answer, `message` for the pong) and the message's own bound, and ends when `stop`
/// fires. Never throws: a check that could not tell is an ``HTTP2Observation/Outcome/unchecked`` observation.
public struct HTTP2WebSocketCheck: Sendable {
    /// The connection to check: its URL (with a query credential), TLS settings, timeouts, subprotocols
    /// and headers (credentials, `Origin`).
    public var configuration: ClientConfiguration
    /// The profile's first message, sent over the stream after the pong (`nil`: the ping is the exchange).
    public var message: HTTP2CheckMessage?

    /// A check of `configuration`'s `wss://` URL that sends `message` after the ping (default none).
    public init(configuration: ClientConfiguration, message: HTTP2CheckMessage? = nil) {
        self.configuration = configuration
        self.message = message
    }

    /// How often the waits look at the exchange.
    static let pollInterval: Duration = .milliseconds(20)

    /// Runs the check; `eventLoopGroup` defaults to `MultiThreadedEventLoopGroup.singleton`.
    public func run(eventLoopGroup: (any EventLoopGroup)? = nil, stop: RunStop? = nil) async -> HTTP2Observation {
        let start = ContinuousClock.now
        var observation = await exchange(eventLoopGroup: eventLoopGroup ?? MultiThreadedEventLoopGroup.singleton, stop: stop, start: start)
        observation.durationMs = (ContinuousClock.now - start).milliseconds
        return observation
    }

    private func exchange(eventLoopGroup: any EventLoopGroup, stop: RunStop?, start: ContinuousClock.Instant) async -> HTTP2Observation {
        let url = configuration.url
        let timeouts = configuration.timeouts
        guard url.isSecure else {
            return HTTP2Observation(outcome: .unchecked, detail: "ws:// has no TLS: browsers speak HTTP/2 only over TLS")
        }
        let tlsSetup: TLSClientSetup
        do {
            tlsSetup = try TLSClientSetup.make(configuration.tls, host: url.host, applicationProtocols: ["h2", "http/1.1"])
        } catch {
            return HTTP2Observation(outcome: .unchecked, detail: "not checked: \(error.description)")
        }
        let route = configuration.connectTarget()
        let addresses: [SocketAddress]
        if let given = route.addresses {
            addresses = given.compactMap { AddressResolver.literal($0, port: route.port) }
        } else if let literal = AddressResolver.literal(route.host, port: route.port) {
            addresses = [literal]
        } else {
            switch await AddressResolver.resolve(host: route.host, port: route.port, timeout: timeouts.connect, on: eventLoopGroup.next()) {
            case .resolved(let resolved): addresses = resolved
            case .failed(let message): return HTTP2Observation(outcome: .unchecked, detail: "not checked: \(message)")
            case .timedOut: return HTTP2Observation(outcome: .unchecked, detail: "not checked: DNS resolution timed out")
            }
        }

        let request = HTTP2CheckHandler.Request(
            authority: url.authority, path: url.resource, subprotocols: configuration.subprotocols, headers: configuration.headers)
        let exchange = LockedBox(HTTP2ExtendedConnectExchange(message: message))
        let alpn = LockedBox(HTTP2ALPNHandler.State.waiting)
        let tlsState = LockedBox(TLSVerificationState())
        let deadline = ContinuousClock.now + timeouts.connect
        var channel: (any Channel)?
        var lastError: (any Error)?
        for address in addresses {
            let remaining = deadline - .now
            guard remaining > .zero, stop?.isStopped != true else { break }
            let bootstrap = ClientBootstrap(group: eventLoopGroup)
                .connectTimeout(TimeAmount(remaining))
                .channelOption(.socketOption(.tcp_nodelay), value: 1)
                .channelInitializer { channel in
                    channel.eventLoop.makeCompletedFuture {
                        let sync = channel.pipeline.syncOperations
                        try sync.addHandler(tlsSetup.makeHandler(recorder: tlsState))
                        try sync.addHandler(HTTP2ALPNHandler(state: alpn, exchange: exchange, request: request, start: start))
                    }
                }
            do {
                channel = try await bootstrap.connect(to: address).get()
                break
            } catch {
                lastError = error
            }
        }
        guard let channel else {
            let why =
                stop?.isStopped == true ? "the run was stopped" : lastError.map { String(describing: $0) } ?? "no address to connect to"
            return HTTP2Observation(outcome: .unchecked, detail: "not checked: the TCP connection failed (\(why))")
        }
        defer { channel.close(promise: nil) }

        // TLS and ALPN.
        let tlsDone = await wait(timeouts.tlsHandshake, stop: stop) {
            if case .waiting = alpn.value { return false }
            return true
        }
        let selected: String?
        switch alpn.value {
        case .waiting:
            let why =
                stop?.isStopped == true
                ? "the run was stopped"
                : tlsDone ? "the connection ended" : "no TLS handshake within \(DurationText.format(timeouts.tlsHandshake))"
            return HTTP2Observation(outcome: .unchecked, detail: "not checked: \(why)")
        case .failed(let why):
            let verification = tlsState.value.detail.map { " (\($0))" } ?? ""
            return HTTP2Observation(outcome: .unchecked, detail: "not checked: the TLS handshake failed: \(why)\(verification)")
        case .negotiated(let name):
            selected = name
        }
        guard selected == "h2" else {
            return HTTP2Observation(
                outcome: .notOffered, alpn: selected,
                detail:
                    "ALPN selected \(selected ?? "no protocol") to an offer of h2 and http/1.1: browsers use WebSockets over HTTP/1.1 here")
        }

        // SETTINGS, the answer to the extended CONNECT, the pong, the message's answer: each phase has its own bound.
        while true {
            let phase = exchange.value.phase
            if phase == .done { break }
            let (bound, what) =
                switch phase {
                case .awaitingSettings: (timeouts.upgrade, "the SETTINGS frame")
                case .awaitingAnswer: (timeouts.upgrade, DurationText.format(timeouts.upgrade) + " (--upgrade-timeout)")
                case .awaitingReply:
                    (
                        message?.within ?? timeouts.message,
                        DurationText.format(message?.within ?? timeouts.message) + " (the profile's message bound)"
                    )
                default: (timeouts.message, DurationText.format(timeouts.message) + " (--message-timeout)")
                }
            let moved = await wait(bound, stop: stop) { exchange.value.phase != phase }
            if stop?.isStopped == true {
                var o = exchange.value.observation
                o.outcome = .unchecked
                o.detail = "not finished: the run was stopped"
                return o
            }
            if !moved {
                let at = (ContinuousClock.now - start).milliseconds
                _ = exchange.withLock { $0.event(.timedOut(what, at: at)) }
                channel.close(promise: nil)  // nothing to say to a peer that stopped answering
            }
        }
        // Let the handler's close frame and GOAWAY go out before the connection closes (bounded).
        _ = await wait(timeouts.close, stop: stop) { !channel.isActive }
        return exchange.value.observation
    }

    /// Waits until `done` holds, `bound` passes or `stop` fires; whether `done` held.
    private func wait(_ bound: Duration, stop: RunStop?, until done: @Sendable () -> Bool) async -> Bool {
        let deadline = ContinuousClock.now + bound
        while !done() {
            if stop?.isStopped == true || ContinuousClock.now >= deadline { return done() }
            try? await Task.sleep(for: Self.pollInterval)
        }
        return true
    }
}
