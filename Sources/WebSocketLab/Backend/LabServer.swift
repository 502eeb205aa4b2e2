import Foundation
import NIOCore
import NIOHTTP1
import NIOPosix
import NIOSSL
import NIOWebSocket
import WebSocketAuth

/// The lab's reference backend and auth service on real loopback sockets.
///
/// ```swift
/// let lab = try await LabServer.start(LabConfiguration())
/// let token = try await lab.mintToken(email: TestUser.enterprise.email)
/// // connect to lab.websocketURL with Sec-WebSocket-Protocol: jwt-auth, jwt.<token>
/// await lab.shutdown()
/// ```
public final class LabServer: Sendable {
    private let state: LabState
    private let backendChannel: any Channel
    private let authChannel: (any Channel)?
    private let authority: LabCertificateAuthority?
    private let children: ChildChannelTracker

    /// The backend port (and the auth port unless a separate one was asked for).
    public let port: Int
    /// The auth service port (equal to ``port`` by default).
    public let authPort: Int
    /// The host the lab listens on.
    public let host: String

    private init(
        state: LabState, backendChannel: any Channel, authChannel: (any Channel)?, authority: LabCertificateAuthority?,
        children: ChildChannelTracker
    ) {
        self.state = state
        self.children = children
        self.authority = authority
        self.backendChannel = backendChannel
        self.authChannel = authChannel
        self.host = state.configuration.host
        self.port = backendChannel.localAddress?.port ?? 0
        self.authPort = authChannel?.localAddress?.port ?? backendChannel.localAddress?.port ?? 0
    }

    // MARK: - Start and stop

    /// Starts the backend (and the auth service on the same or a separate port).
    ///
    /// - Parameters:
    ///   - configuration: what to serve; `appFaults` are checked here (a bad spec throws ``FaultSpecError``).
    ///   - eventLoopGroup: default `MultiThreadedEventLoopGroup.singleton`.
    ///   - registry: the application fault types known (default `FaultRegistry.standard`); ``setAppFaults(_:)``
    ///     uses it too.
    public static func start(
        _ configuration: LabConfiguration, eventLoopGroup: (any EventLoopGroup)? = nil, registry: FaultRegistry = .standard
    ) async throws -> LabServer {
        let faults = try registry.makeApplicationFaults(configuration.appFaults)
        try configuration.checkSecret()
        guard configuration.maxMessageBytes > 0, configuration.maxFrameBytes > 0, configuration.maxHeaderBytes >= 1024 else {
            throw LabError.configuration("maxMessageBytes and maxFrameBytes must be above 0, maxHeaderBytes at least 1024")
        }
        let group = eventLoopGroup ?? MultiThreadedEventLoopGroup.singleton
        let state = LabState(configuration: configuration, auth: await AuthService(configuration: configuration), registry: registry)
        state.setFaults(faults)
        var authority: LabCertificateAuthority?
        var tlsContext: NIOSSLContext?
        if let variant = configuration.tls {
            do {
                let ca = try LabCertificateAuthority.generate(hosts: LabCertificateAuthority.hosts(servingOn: configuration.host))
                tlsContext = try ca.makeServerContext(variant)
                authority = ca
            } catch {
                throw LabError.configuration("cannot set up TLS (\(variant.rawValue)): \(error)")
            }
        }
        let separateAuth = configuration.authPort != nil
        let children = ChildChannelTracker()
        let backend = try await bind(
            state: state, group: group, port: configuration.port, tls: tlsContext,
            routes: .init(backend: true, auth: !separateAuth), children: children)
        var auth: (any Channel)?
        if let authPort = configuration.authPort {
            do {
                auth = try await bind(
                    state: state, group: group, port: authPort, tls: tlsContext,
                    routes: .init(backend: false, auth: true), children: children)
            } catch {
                try? await backend.close()
                throw error
            }
        }
        return LabServer(state: state, backendChannel: backend, authChannel: auth, authority: authority, children: children)
    }

    private static func bind(
        state: LabState, group: any EventLoopGroup, port: Int, tls: NIOSSLContext?, routes: LabHTTPHandler.Routes,
        children: ChildChannelTracker
    ) async throws -> any Channel {
        let handshakeTimeout = TimeAmount(state.configuration.handshakeTimeout)
        let configuration = state.configuration
        var limits = NIOHTTPDecoderLimitConfiguration()
        limits.maxHeaderListSize = configuration.maxHeaderBytes
        limits.maxHeaderFieldSize = configuration.maxHeaderBytes
        limits.maxHeaderFieldCount = 100
        let decoderLimits = limits
        let bootstrap = ServerBootstrap(group: group)
            .serverChannelOption(.backlog, value: 512)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .childChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .childChannelOption(.tcpOption(.tcp_nodelay), value: 1)
            .childChannelInitializer { channel in
                let slot = UpgradeSlot()
                // Every accepted connection is tracked (shutdown closes it) and must complete an upgrade within
                // the handshake timeout: a silent or half-sent request head never holds a socket forever.
                children.insert(channel)
                let deadline = channel.eventLoop.scheduleTask(in: handshakeTimeout) { channel.close(promise: nil) }
                channel.closeFuture.whenComplete { _ in
                    deadline.cancel()
                    children.remove(channel)
                }
                let upgrader = NIOWebSocketServerUpgrader(
                    maxFrameSize: configuration.maxFrameBytes,
                    automaticErrorHandling: true,
                    shouldUpgrade: { channel, head in
                        guard routes.backend else { return channel.eventLoop.makeSucceededFuture(nil) }
                        let path = String(head.uri.split(separator: "?", maxSplits: 1, omittingEmptySubsequences: false).first ?? "")
                        let headers = head.headers.map { (name: $0.name, value: $0.value) }
                        // Decided here, on the event loop: the handshake never waits for the cooperative pool.
                        let decision = state.decideUpgrade(path: path, headers: headers, uri: head.uri)
                        slot.set(decision)
                        guard case .accept(_, let subprotocol) = decision else { return channel.eventLoop.makeSucceededFuture(nil) }
                        var extra = HTTPHeaders()
                        if let subprotocol { extra.add(name: "Sec-WebSocket-Protocol", value: subprotocol) }
                        return channel.eventLoop.makeSucceededFuture(extra)
                    },
                    upgradePipelineHandler: { channel, _ in
                        guard case .accept(let claims, _)? = slot.take() else {
                            return channel.close()
                        }
                        deadline.cancel()
                        return channel.eventLoop.makeCompletedFuture {
                            try channel.pipeline.syncOperations.addHandler(LabWebSocketHandler(state: state, claims: claims))
                        }
                    })
                return channel.eventLoop.makeCompletedFuture {
                    if let tls {
                        try channel.pipeline.syncOperations.addHandler(NIOSSLServerHandler(context: tls))
                    }
                    try channel.pipeline.syncOperations.configureHTTPServerPipeline(
                        withServerUpgrade: (
                            upgraders: [upgrader],
                            completionHandler: { context in
                                context.pipeline.syncOperations.removeHandler(name: LabHTTPHandler.name, promise: nil)
                            }
                        ),
                        withEncoderConfiguration: .init(),
                        withDecoderLimitConfiguration: decoderLimits)
                    try channel.pipeline.syncOperations.addHandler(
                        LabHTTPHandler(state: state, routes: routes, slot: slot), name: LabHTTPHandler.name)
                }
            }
        do {
            return try await bootstrap.bind(host: configuration.host, port: port).get()
        } catch {
            throw LabError.bind(configuration.host, port, error)
        }
    }

    /// Closes every connection (1001 "Server shutting down", bounded wait of 1 s) and stops listening.
    public func shutdown() async {
        try? await backendChannel.close()
        if let authChannel { try? await authChannel.close() }
        state.connections.broadcast(.shutdown)
        let deadline = ContinuousClock.now + .seconds(1)
        while state.connections.count > 0, ContinuousClock.now < deadline {
            try? await Task.sleep(for: .milliseconds(20))
        }
        state.connections.closeAll()
        // Connections that never upgraded (silent, half-sent heads, HTTP keep-alives) are not in
        // `state.connections`, and closing the listener does not close them.
        await children.closeAll()
    }

    // MARK: - URLs

    /// A wildcard bind (`0.0.0.0`, `::`) is written as loopback: it is no address a client can connect to.
    private var hostForURL: String { ListenHost(host).urlHost }

    private var isSecure: Bool { authority != nil }

    /// `ws://HOST:PORT/ws`, or `wss://` with TLS (HOST is `127.0.0.1` when the lab listens on `0.0.0.0`).
    public var websocketURL: String { "\(isSecure ? "wss" : "ws")://\(hostForURL):\(port)/ws" }
    /// `http://HOST:PORT` (or `https://`) of the backend (`/health`).
    public var httpBaseURL: String { "\(isSecure ? "https" : "http")://\(hostForURL):\(port)" }
    /// `http://HOST:AUTHPORT` (or `https://`) of the auth service (`/auth/token` …); TLS covers every lab port.
    public var authBaseURL: String { "\(isSecure ? "https" : "http")://\(hostForURL):\(authPort)" }
    /// The root certificate clients must trust, when the lab serves TLS.
    public var rootCertificatePEM: String? { authority?.rootCertificatePEM }
    /// The TLS variant served, if any.
    public var tlsVariant: TLSVariant? { state.configuration.tls }

    // MARK: - Control

    /// Mints an access token signed like the auth service's. A known test user gets its permissions; any other
    /// address gets `websocket_access` and `agent_execution` (load tests with many users).
    /// A negative `expiresIn` mints an already-expired token.
    public func mintToken(email: String, expiresIn: Duration = .seconds(3600)) async throws -> String {
        let configuration = state.configuration
        let user = configuration.users.first { $0.email.lowercased() == email.lowercased() }
        return try TokenMinter.mint(
            secret: configuration.jwtSecret, user: email, userID: user?.userID,
            permissions: user?.permissions ?? TokenMinter.defaultPermissions,
            issuer: configuration.issuer, audience: configuration.audience, type: .access, expiresIn: expiresIn)
    }

    /// Replaces the active application faults (a bad spec throws and leaves the current ones in place).
    public func setAppFaults(_ specs: [FaultSpec]) throws {
        state.setFaults(try state.registry.makeApplicationFaults(specs))
    }

    /// A graceful restart now: 1012 "Service restart" to every connection, 503 to new upgrades for
    /// `restartDowntime`.
    public func restart() async {
        state.restart(downtime: state.configuration.restartDowntime)
    }

    /// Number of open WebSocket connections.
    public var openConnectionCount: Int { state.connections.count }
}
