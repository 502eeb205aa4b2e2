import NIOCore

/// The decisions of one proxied connection, apart from its channels, timers and faults.
///
/// `ProxyConnection` feeds it what happened — bytes from a side, a side closed, the upstream
/// connected, a timer fired, a fault ended the connection — and performs the ``Action`` it returns.
/// The machine holds the phase (request head, handshake, response head, tunnel, closing), which
/// transports are open, the client bytes held back during the handshake and who ended the
/// connection. It never touches a socket or a clock, so its tests drive every transition directly.
///
/// Modelled on swift-nio's `NIOTypedHTTPServerUpgraderStateMachine` and async-http-client's
/// `HTTP1ConnectionStateMachine`: one `State` enum whose cases carry what that phase needs, a
/// `modifying` placeholder so a payload is changed in place rather than copied, and an action per event.
struct ProxyConnectionStateMachine {
    /// Which peer an event concerns.
    typealias Side = ProxySideHandler.Side

    /// One of the connection's two transports as the connection sees it.
    enum Transport: Equatable {
        case open
        case closed
    }

    /// The request head is in; handshake faults run and the upstream is being connected.
    struct Handshake {
        /// The client asked for a WebSocket upgrade.
        var isUpgrade: Bool
        /// Client bytes that followed the head, sent once the upstream is connected (after the 101 for an upgrade).
        var pending: ByteBuffer?
    }

    /// The upstream is connected and has the request head; its response head is being read.
    struct AwaitingResponse {
        var isUpgrade: Bool
        /// The head that went upstream still asked for an upgrade (a fault may have stripped it).
        var forwardsUpgrade: Bool
        var parser: HTTPHeadParser
        /// Client bytes held until the upgrade is answered (a client must wait for the 101).
        var pending: ByteBuffer?
    }

    /// After the response head: bytes flow both ways until each side ends.
    struct Tunnel: Equatable {
        /// The upstream answered an upgrade with 101: frames are parsed, frame faults apply.
        var isWebSocket: Bool
        var client: Transport = .open
        var server: Transport = .open
        /// After an injected close: the sides whose close frame is still awaited.
        var awaitingCloseFrom: Sides?
    }

    /// A set of sides, without storage of its own (the tunnel state stays free of references).
    struct Sides: OptionSet, Equatable {
        let rawValue: UInt8
        static let client = Sides(rawValue: 1)
        static let server = Sides(rawValue: 2)

        init(rawValue: UInt8) { self.rawValue = rawValue }
        init(_ side: Side) { self = side == .client ? .client : .server }
    }

    /// The proxy answered or is closing the connection; it waits for both transports to close.
    struct Closing: Equatable {
        var client: Transport
        var server: Transport
        var isWebSocket: Bool
        /// The proxy's own answer (400, 431, 502, 503, 504) is being written to the client, which is
        /// closed once it is written, or by ``answerDeadlinePassed()`` or a reset if it never is.
        var answering = false
    }

    enum State {
        case readingRequest(HTTPHeadParser)
        case handshaking(Handshake)
        case awaitingResponse(AwaitingResponse)
        case tunnel(Tunnel)
        case closing(Closing)
        /// Both transports closed; the connection's bookkeeping is done.
        case finished
        /// Placeholder while a payload is changed in place.
        case modifying
    }

    /// What the connection's end reports.
    struct Finish: Equatable {
        var endedBy: ProxyMetrics.EndedBy
        /// The connection was a WebSocket (the proxy's open count goes down).
        var closesWebSocket: Bool
    }

    /// Whether a side may read now.
    enum ReadPolicy: Equatable {
        case read
        case hold
        /// Only while the upstream channel is writable (a plain request body streams through).
        case whenUpstreamWritable
        /// While the tunnel direction fed by this side can take more.
        case whenTunnelAccepts
    }

    /// What the connection does next.
    enum Action: Equatable {
        /// Nothing.
        case none
        /// Tunnel bytes from the source of `direction`; frame-aware when `webSocket`.
        case forward(FaultDirection, webSocket: Bool)
        /// A plain request's body, before the response head: straight to the upstream.
        case forwardRequestBody
        /// The request head is complete: apply the handshake faults, then ``upstreamDue()`` and connect,
        /// or ``refuse(status:body:)``.
        case applyRequestFaults(ProxyRequestHead)
        /// The response head is complete: apply the response faults, then ``responseRelayed(status:)``;
        /// `answersUpgrade`: the response answers an upgrade request (the shell counts its status).
        case relayResponse(ProxyResponseHead, rest: ByteBuffer, answersUpgrade: Bool)
        /// Write the response head, the bytes after it, then the held client bytes (`pending`), and read on.
        case openTunnel(webSocket: Bool, pending: ByteBuffer?)
        /// Answer the client with `status` and close it once written; close the upstream first when
        /// `closeUpstream`; `answersUpgrade`: the answer is to an upgrade request (the shell counts it).
        /// The shell arms the answer deadline (``answerDeadlinePassed()``): a client that does not read
        /// does not hold the connection.
        case respond(status: Int, body: String, closeUpstream: Bool, answersUpgrade: Bool)
        /// The client left before the response head: close the upstream.
        case closeUpstream
        /// The source of `direction` ended: close its destination once the queued bytes are out.
        case passEnd(FaultDirection)
        /// Close both transports, with RST when `reset`.
        case closeBoth(reset: Bool)
        /// Send close frames the applications never sent (to the client, to the server), stop forwarding,
        /// and call ``injectedCloseExpired()`` after a grace period.
        case injectClose(code: Int, reason: String, toClient: Bool, toServer: Bool)
        /// Both transports closed: cancel timers, count the end, forget the connection.
        case finish(Finish)
    }

    private var state: State
    /// Who ended the connection: the first side to close or fail, or the proxy.
    private(set) var endedBy: ProxyMetrics.EndedBy?

    /// A connection whose client just connected; request heads up to `maxHeadBytes`.
    init(maxHeadBytes: Int) {
        state = .readingRequest(HTTPHeadParser(maxBytes: maxHeadBytes))
    }

    // MARK: - Queries

    /// The phase as a name, for tests and logs.
    var phase: String {
        switch state {
        case .readingRequest: "readingRequest"
        case .handshaking: "handshaking"
        case .awaitingResponse: "awaitingResponse"
        case .tunnel: "tunnel"
        case .closing: "closing"
        case .finished: "finished"
        case .modifying: "modifying"
        }
    }

    /// The tunnel's state, when in the tunnel.
    var tunnel: Tunnel? {
        if case .tunnel(let t) = state { return t }
        return nil
    }

    /// The closing state, when closing.
    var closing: Closing? {
        if case .closing(let c) = state { return c }
        return nil
    }

    /// Whether timers of the connection (faults, the output queue) still matter: not once it is closing.
    var isLive: Bool {
        switch state {
        case .readingRequest, .handshaking, .awaitingResponse, .tunnel: true
        case .closing, .finished, .modifying: false
        }
    }

    /// Whether `side` may read now.
    func readPolicy(_ side: Side) -> ReadPolicy {
        switch state {
        case .tunnel: .whenTunnelAccepts
        case .readingRequest: side == .client ? .read : .hold
        case .handshaking: .hold
        case .awaitingResponse(let a): side == .server ? .read : a.isUpgrade ? .hold : .whenUpstreamWritable
        // Reading on lets a closing peer's EOF (and TLS close_notify) through; the bytes are dropped.
        case .closing: .read
        case .finished, .modifying: .hold
        }
    }

    // MARK: - Bytes

    /// Where bytes from `side` go in the tunnel: the direction and whether it is frame-aware; nil outside the
    /// tunnel. The hot path: tunnel bytes change nothing in the machine, so the shell asks this (the state is
    /// only read) before ``received(_:from:)``, which gives the same answer as ``Action/forward(_:webSocket:)``.
    func tunnelRoute(from side: Side) -> (direction: FaultDirection, webSocket: Bool)? {
        guard case .tunnel(let t) = state else { return nil }
        return (side == .client ? .upstream : .downstream, t.isWebSocket)
    }

    /// Bytes arrived from `side`.
    mutating func received(_ buffer: ByteBuffer, from side: Side) -> Action {
        if let route = tunnelRoute(from: side) { return .forward(route.direction, webSocket: route.webSocket) }
        switch state {
        case .tunnel:
            preconditionFailure("tunnel bytes are routed above")

        case .readingRequest(var parser):
            guard side == .client else { return .none }
            state = .modifying
            let outcome = parser.feed(buffer)
            state = .readingRequest(parser)
            switch outcome {
            case .needMore:
                return .none
            case .tooLarge:
                return respond(status: 431, body: "request head larger than \(parser.maxBytes) bytes")
            case .complete(let lines, let rest):
                guard let head = ProxyRequestHead(lines: lines) else {
                    return respond(status: 400, body: "malformed HTTP request head")
                }
                state = .handshaking(Handshake(isUpgrade: head.isWebSocketUpgrade, pending: rest.readableBytes > 0 ? rest : nil))
                return .applyRequestFaults(head)
            }

        case .handshaking(var h):
            guard side == .client else { return .none }
            state = .modifying
            h.pending.append(buffer)
            state = .handshaking(h)
            return .none

        case .awaitingResponse(var a):
            if side == .client {
                guard a.isUpgrade else { return .forwardRequestBody }
                state = .modifying
                a.pending.append(buffer)
                state = .awaitingResponse(a)
                return .none
            }
            state = .modifying
            let outcome = a.parser.feed(buffer)
            state = .awaitingResponse(a)
            switch outcome {
            case .needMore:
                return .none
            case .tooLarge:
                return respond(status: 502, body: "Bad Gateway: upstream response head too large")
            case .complete(let lines, let rest):
                guard let head = ProxyResponseHead(lines: lines) else {
                    return respond(status: 502, body: "Bad Gateway: malformed upstream response head")
                }
                return .relayResponse(head, rest: rest, answersUpgrade: a.isUpgrade)
            }

        case .closing, .finished:
            return .none

        case .modifying:
            preconditionFailure("ProxyConnectionStateMachine re-entered while modifying")
        }
    }

    // MARK: - Handshake

    /// Whether the upstream is to be connected now (after the handshake faults and their delay).
    func upstreamDue() -> Bool {
        if case .handshaking = state { return true }
        return false
    }

    /// The proxy answers the client itself (a handshake fault, no instance, no connect): `status` and `body`.
    mutating func refuse(status: Int, body: String) -> Action {
        guard case .handshaking = state else { return .none }
        return respond(status: status, body: body)
    }

    /// What to do with an upstream channel that just connected.
    enum UpstreamConnect: Equatable {
        /// It is the connection's upstream: send it the request head followed by `pending`.
        case sendRequest(pending: ByteBuffer?)
        /// The connection moved on (the client left, a fault or the proxy ended it): close the channel
        /// that connected — never the connection's own upstream, which it is not. Not an ``Action``, so
        /// that it cannot reach the shell's `perform`, which acts on the connection's channels.
        case closeStray
    }

    /// The upstream connected; `forwardsUpgrade` when the head sent still asks for an upgrade.
    mutating func upstreamConnected(forwardsUpgrade: Bool, maxHeadBytes: Int) -> UpstreamConnect {
        guard case .handshaking(let h) = state else { return .closeStray }
        state = .awaitingResponse(
            AwaitingResponse(
                isUpgrade: h.isUpgrade, forwardsUpgrade: forwardsUpgrade, parser: HTTPHeadParser(maxBytes: maxHeadBytes),
                pending: h.isUpgrade ? h.pending : nil))
        return .sendRequest(pending: h.isUpgrade ? nil : h.pending)
    }

    /// The response head (after the response faults) went to the client with `status`.
    mutating func responseRelayed(status: Int) -> Action {
        guard case .awaitingResponse(let a) = state else { return .none }
        let webSocket = status == 101 && a.forwardsUpgrade
        state = .tunnel(Tunnel(isWebSocket: webSocket))
        return .openTunnel(webSocket: webSocket, pending: a.pending)
    }

    // MARK: - Ends

    /// `side`'s channel closed (FIN, error or our own close).
    mutating func closed(_ side: Side) -> Action {
        switch (state, side) {
        case (.readingRequest, .client), (.handshaking, .client):
            if endedBy == nil { endedBy = .client }
            return finish(isWebSocket: false)

        case (.readingRequest, .server), (.handshaking, .server):
            // Not this connection's upstream (a stray connect).
            return .none

        case (.awaitingResponse, .client):
            if endedBy == nil { endedBy = .client }
            state = .closing(Closing(client: .closed, server: .open, isWebSocket: false))
            return .closeUpstream

        case (.awaitingResponse, .server):
            if endedBy == nil { endedBy = .upstream }
            return respond(status: 502, body: "Bad Gateway: upstream closed the connection before answering", upstream: .closed)

        case (.tunnel(var t), _):
            if endedBy == nil { endedBy = side == .client ? .client : .upstream }
            if side == .client {
                guard t.client == .open else { return .none }
                t.client = .closed
            } else {
                guard t.server == .open else { return .none }
                t.server = .closed
            }
            if t.client == .closed, t.server == .closed { return finish(isWebSocket: t.isWebSocket) }
            state = .tunnel(t)
            return .passEnd(side == .client ? .upstream : .downstream)

        case (.closing(var c), _):
            if endedBy == nil { endedBy = side == .client ? .client : .upstream }
            if side == .client { c.client = .closed } else { c.server = .closed }
            if c.client == .closed, c.server == .closed { return finish(isWebSocket: c.isWebSocket) }
            state = .closing(c)
            return .none

        case (.finished, _):
            return .none

        case (.modifying, _):
            preconditionFailure("ProxyConnectionStateMachine re-entered while modifying")
        }
    }

    /// `side`'s channel reported an error (it closes next).
    mutating func failed(_ side: Side) {
        if case .finished = state { return }
        if endedBy == nil { endedBy = side == .client ? .client : .upstream }
    }

    /// A fault or the proxy ends the connection with `action`.
    ///
    /// While closing, the closes are already under way and only one thing is left to end: the proxy's
    /// own answer still being written to the client. A reset cuts it (RST: the fault's point is that
    /// the connection ends now, abruptly); a graceful close or an injected close frame adds nothing.
    mutating func end(_ action: ConnectionAction, by: ProxyMetrics.EndedBy) -> Action {
        switch state {
        case .closing(var c):
            guard case .reset = action, c.answering, c.client == .open else { return .none }
            c.answering = false
            state = .closing(c)
            return .closeBoth(reset: true)
        case .finished:
            return .none
        case .modifying:
            preconditionFailure("ProxyConnectionStateMachine re-entered while modifying")
        case .readingRequest, .handshaking, .awaitingResponse, .tunnel:
            break
        }
        if endedBy == nil { endedBy = by }
        switch action {
        case .closeTransport:
            return closeBoth(reset: false)
        case .reset:
            return closeBoth(reset: true)
        case .injectClose(let code, let reason, let direction):
            guard case .tunnel(var t) = state, t.isWebSocket else { return closeBoth(reset: false) }
            let toClient = direction.includes(.downstream) && t.client == .open
            let toServer = direction.includes(.upstream) && t.server == .open
            var awaiting: Sides = []
            // A close sent to one peer is answered by that peer.
            if toClient { awaiting.insert(.client) }
            if toServer { awaiting.insert(.server) }
            t.awaitingCloseFrom = awaiting
            state = .tunnel(t)
            return .injectClose(code: code, reason: reason, toClient: toClient, toServer: toServer)
        }
    }

    /// A close frame came from `side` through the tunnel.
    mutating func closeFrameForwarded(from side: Side) -> Action {
        guard case .tunnel(var t) = state, var awaiting = t.awaitingCloseFrom, awaiting.contains(Sides(side)) else { return .none }
        awaiting.remove(Sides(side))
        t.awaitingCloseFrom = awaiting
        state = .tunnel(t)
        return awaiting.isEmpty ? closeBoth(reset: false) : .none
    }

    /// The grace period after an injected close is over.
    mutating func injectedCloseExpired() -> Action {
        guard case .tunnel(let t) = state, t.awaitingCloseFrom != nil else { return .none }
        return closeBoth(reset: false)
    }

    /// The answer deadline after a ``Action/respond(status:body:closeUpstream:answersUpgrade:)`` passed:
    /// a client that has not taken the answer (it does not read) is closed without it.
    mutating func answerDeadlinePassed() -> Action {
        guard case .closing(var c) = state, c.answering, c.client == .open else { return .none }
        c.answering = false
        state = .closing(c)
        return .closeBoth(reset: false)
    }

    /// The client did not finish its request head in time.
    mutating func requestTimedOut() -> Action {
        guard case .readingRequest = state else { return .none }
        if endedBy == nil { endedBy = .proxy }
        return closeBoth(reset: false)
    }

    /// The upstream did not answer in time.
    mutating func responseTimedOut() -> Action {
        guard case .awaitingResponse = state else { return .none }
        return respond(status: 504, body: "Gateway Timeout: upstream did not answer in time")
    }

    // MARK: - Transitions shared by the events

    /// Answers the client and closes: from a state where the client is open.
    private mutating func respond(status: Int, body: String, upstream: Transport? = nil) -> Action {
        if endedBy == nil { endedBy = .proxy }
        var isUpgrade = false
        var server = Transport.closed
        switch state {
        case .handshaking(let h):
            isUpgrade = h.isUpgrade
        case .awaitingResponse(let a):
            isUpgrade = a.isUpgrade
            server = upstream ?? .open
        default:
            break
        }
        state = .closing(Closing(client: .open, server: server, isWebSocket: false, answering: true))
        return .respond(status: status, body: body, closeUpstream: server == .open, answersUpgrade: isUpgrade)
    }

    private mutating func closeBoth(reset: Bool) -> Action {
        switch state {
        case .readingRequest, .handshaking:
            state = .closing(Closing(client: .open, server: .closed, isWebSocket: false))
        case .awaitingResponse:
            state = .closing(Closing(client: .open, server: .open, isWebSocket: false))
        case .tunnel(let t):
            state = .closing(Closing(client: t.client, server: t.server, isWebSocket: t.isWebSocket))
        case .closing, .finished, .modifying:
            return .none
        }
        return .closeBoth(reset: reset)
    }

    private mutating func finish(isWebSocket: Bool) -> Action {
        state = .finished
        return .finish(Finish(endedBy: endedBy ?? .proxy, closesWebSocket: isWebSocket))
    }
}

extension Optional where Wrapped == ByteBuffer {
    /// Appends `buffer` to the held bytes (starting them when there are none).
    fileprivate mutating func append(_ buffer: ByteBuffer) {
        if case .some(var held) = self {
            self = nil
            var buffer = buffer
            held.writeBuffer(&buffer)
            self = held
        } else {
            self = buffer
        }
    }
}
