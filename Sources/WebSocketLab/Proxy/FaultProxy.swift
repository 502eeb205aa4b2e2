import NIOCore
import NIOPosix
import NIOSSL
import Synchronization
import WebSocketWire

/// A WebSocket-aware HTTP/1.1 reverse proxy that reproduces infrastructure failures on loopback.
///
/// It forwards upgrades and plain HTTP requests to one or more upstream instances, optionally
/// terminating TLS, parses the handshake and (after the 101) the frames in both directions, and
/// applies the installed faults. Faults can be changed at run time (here or over the admin API).
/// Handshake, stream and timer faults apply to connections accepted after a change; frame faults
/// apply at once to open connections too.
public final class FaultProxy: Sendable {
    struct State {
        var faults: [ConfiguredFault] = []
        var connections: [ObjectIdentifier: ProxyConnection] = [:]
        var instances: [ObjectIdentifier: Int] = [:]
        var nextInstance = 0
        var upgradeRequests = 0
        var openWebSockets = 0
        var drainTasks: [Scheduled<Void>] = []
        /// Instances out of service: drained by a `drain-instance` fault whose `after` has elapsed (a scale-in
        /// takes the instance out of rotation when it happens, not when it is scheduled).
        var drainedInstances: Set<Int> = []
    }

    /// The configuration the proxy started with.
    public let configuration: ProxyConfiguration
    /// The registry faults are built from.
    public let registry: FaultRegistry
    let metrics = ProxyMetrics()
    let group: any EventLoopGroup
    let upstreamTLSContext: NIOSSLContext?
    /// The HTTP/2 connections of the front (``ProxyConfiguration/http2``), closed at shutdown.
    let http2Connections = ChildChannelTracker()
    private let state = Mutex(State())
    private let generation = Atomic<Int>(0)
    private let channels = Mutex<(server: Channel?, admin: Channel?)>((nil, nil))

    /// The port the proxy listens on.
    public let port: Int
    /// The port of the admin API, when one runs.
    public var adminPort: Int? { channels.withLock { $0.admin?.localAddress?.port } }

    /// `http://HOST:PORT` of the admin API, when one runs (`127.0.0.1` for a `0.0.0.0` listener).
    public var adminURL: String? { adminPort.map { "http://\(ListenHost(configuration.adminHost).urlHost):\($0)" } }

    /// `ws://` (or `wss://` with TLS termination) URL of the proxy with `path` (`127.0.0.1` for a `0.0.0.0` listener).
    public func url(path: String = "/") -> String {
        "\(configuration.tls == nil ? "ws" : "wss")://\(ListenHost(configuration.listenHost).urlHost):\(port)\(path)"
    }

    private init(
        configuration: ProxyConfiguration, registry: FaultRegistry, group: any EventLoopGroup, upstreamTLSContext: NIOSSLContext?, port: Int
    ) {
        self.configuration = configuration
        self.registry = registry
        self.group = group
        self.upstreamTLSContext = upstreamTLSContext
        self.port = port
    }

    // MARK: - Start and stop

    /// Starts a proxy: validates the faults, binds the listener (and the admin API when
    /// `adminPort` is set) and returns once both accept connections.
    /// - Parameters:
    ///   - configuration: listener, upstreams, TLS, faults and admin settings.
    ///   - eventLoopGroup: defaults to `MultiThreadedEventLoopGroup.singleton`.
    ///   - registry: the fault types known (default `FaultRegistry.standard`).
    public static func start(
        _ configuration: ProxyConfiguration, eventLoopGroup: (any EventLoopGroup)? = nil, registry: FaultRegistry = .standard
    ) async throws -> FaultProxy {
        guard !configuration.upstreams.isEmpty else { throw ProxyError.noUpstreams }
        let configuration = try configuration.resolvingTLSVariant()
        let group = eventLoopGroup ?? MultiThreadedEventLoopGroup.singleton
        var faults: [ConfiguredFault] = []
        for spec in configuration.faults { faults += try registry.make(spec) }
        try configuration.validateHTTP2(faults)
        var upstreamTLSContext: NIOSSLContext?
        if configuration.upstreams.contains(where: \.tls) {
            var tls = configuration.upstreamTLS ?? TLSConfiguration.makeClientConfiguration()
            if configuration.upstreamTLS == nil { tls.certificateVerification = .none }
            upstreamTLSContext = try NIOSSLContext(configuration: tls)
        }
        let box = ListenerBox()
        let listener = try await Self.bind(configuration: configuration, group: group, box: box)
        let proxy = FaultProxy(
            configuration: configuration, registry: registry, group: group, upstreamTLSContext: upstreamTLSContext,
            port: listener.localAddress?.port ?? configuration.listenPort)
        box.proxy = proxy
        proxy.channels.withLock { $0.server = listener }
        proxy.install(faults)
        if let adminPort = configuration.adminPort {
            do {
                let admin = try await AdminServer.bind(
                    host: configuration.adminHost, port: adminPort, token: configuration.adminToken, proxy: proxy, group: group)
                proxy.channels.withLock { $0.admin = admin }
            } catch {
                await proxy.shutdown()
                throw ProxyError("cannot start the admin API on \(configuration.adminHost):\(adminPort): \(error)")
            }
        }
        return proxy
    }

    /// Stops listening and ends every open connection.
    public func shutdown() async {
        let (server, admin) = channels.withLock { ($0.server, $0.admin) }
        try? await server?.close()
        try? await admin?.close()
        let (connections, drains) = state.withLock { s in
            let all = Array(s.connections.values)
            let drains = s.drainTasks
            s.drainTasks = []
            return (all, drains)
        }
        for task in drains { task.cancel() }
        for connection in connections {
            connection.eventLoop.execute { connection.end(.closeTransport, by: .proxy) }
        }
        await http2Connections.closeAll()
    }

    private static func bind(configuration: ProxyConfiguration, group: any EventLoopGroup, box: ListenerBox) async throws -> Channel {
        let bootstrap = ServerBootstrap(group: group)
            .serverChannelOption(ChannelOptions.backlog, value: 256)
            .serverChannelOption(ChannelOptions.socketOption(.so_reuseaddr), value: 1)
            .childChannelOption(ChannelOptions.socketOption(.tcp_nodelay), value: 1)
            .childChannelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    guard let proxy = box.proxy else { throw ProxyError("proxy not ready") }
                    if proxy.configuration.http2, let tls = proxy.configuration.tls {
                        try FaultProxy.configureNegotiatedFront(channel, proxy: proxy, tls: tls)
                        return
                    }
                    if let tls = proxy.configuration.tls {
                        try channel.pipeline.syncOperations.addHandler(NIOSSLServerHandler(context: tls))
                    }
                    let connection = ProxyConnection(proxy: proxy, eventLoop: channel.eventLoop)
                    try channel.pipeline.syncOperations.addHandler(ProxySideHandler(side: .client, connection: connection))
                }
            }
        do {
            return try await bootstrap.bind(host: configuration.listenHost, port: configuration.listenPort).get()
        } catch {
            throw ProxyError("cannot listen on \(configuration.listenHost):\(configuration.listenPort): \(error)")
        }
    }

    /// Links the listener's child initializer to the proxy built after the bind.
    final class ListenerBox: Sendable {
        private let value = Mutex<FaultProxy?>(nil)
        var proxy: FaultProxy? {
            get { value.withLock { $0 } }
            set { value.withLock { $0 = newValue } }
        }
    }

    // MARK: - Faults

    /// The installed faults, in order.
    public var currentFaults: [ConfiguredFault] { state.withLock { $0.faults } }

    /// The installed fault specs, in order (a preset appears once).
    public var faultSpecs: [FaultSpec] {
        var seen: [FaultSpec] = []
        for fault in currentFaults where !seen.contains(fault.spec) { seen.append(fault.spec) }
        return seen
    }

    var faultGeneration: Int { generation.load(ordering: .acquiring) }

    /// Replaces every fault. Throws (and changes nothing) when a spec is invalid.
    public func setFaults(_ specs: [FaultSpec]) throws(FaultSpecError) {
        var built: [ConfiguredFault] = []
        for spec in specs { built += try registry.make(spec) }
        state.withLock { s in
            for task in s.drainTasks { task.cancel() }
            s.drainTasks = []
            s.faults = []
            s.drainedInstances = []
        }
        install(built)
    }

    /// Adds one fault (or preset). Throws when the spec is invalid.
    public func addFault(_ spec: FaultSpec) throws(FaultSpecError) {
        install(try registry.make(spec))
    }

    /// Removes every fault installed under `name` (a fault or preset name); returns whether any was.
    @discardableResult
    public func removeFault(named name: String) -> Bool {
        let removed = state.withLock { s in
            let before = s.faults.count
            s.faults.removeAll { $0.name == name || $0.spec.name == name }
            s.drainedInstances.formIntersection(s.faults.compactMap { ($0.fault as? any InstanceFault)?.instance })
            return before != s.faults.count
        }
        generation.add(1, ordering: .releasing)
        return removed
    }

    /// Removes every fault.
    public func resetFaults() {
        try? setFaults([])
    }

    private func install(_ faults: [ConfiguredFault]) {
        state.withLock { $0.faults += faults }
        generation.add(1, ordering: .releasing)
        for configured in faults {
            if let reload = configured.fault as? any ProxyReloadFault {
                let mode = reload.reloadMode
                let task = group.next().scheduleTask(in: TimeAmount(max(reload.reloadAfter, .zero))) { [self] in reloadNow(mode: mode) }
                state.withLock { $0.drainTasks.append(task) }
                continue
            }
            guard let fault = configured.fault as? any InstanceFault else { continue }
            let instance = fault.instance
            let mode = fault.drainMode
            if fault.drainAfter <= .zero { state.withLock { _ = $0.drainedInstances.insert(instance) } }
            let task = group.next().scheduleTask(in: TimeAmount(max(fault.drainAfter, .zero))) { [self] in
                _ = drainNow(instance: instance, mode: mode)
            }
            state.withLock { $0.drainTasks.append(task) }
        }
    }

    /// Ends every open connection of upstream `instance` at once (scale-in): with TCP FIN
    /// (`.fin`) or a 1001 close frame to the client (`.goingAway`), and takes the instance out of rotation
    /// until the faults are replaced (``setFaults(_:)``). Returns once they ended (at most about two seconds).
    public func drain(instance: Int, mode: DrainMode) async {
        let connections = Set(drainNow(instance: instance, mode: mode).map(ObjectIdentifier.init))
        let deadline = ContinuousClock.now + .seconds(2)
        while ContinuousClock.now < deadline {
            let open = state.withLock { s in s.connections.keys.contains { connections.contains($0) } }
            if !open { return }
            try? await Task.sleep(for: .milliseconds(20))
        }
    }

    /// A reload (`reload` fault): ends every open connection at once, whatever its instance, and keeps serving
    /// new ones.
    private func reloadNow(mode: DrainMode) {
        let open = state.withLock { Array($0.connections.values) }
        for connection in open {
            connection.eventLoop.execute {
                switch mode {
                case .fin: connection.end(.closeTransport, by: .proxy)
                case .goingAway:
                    connection.end(
                        .injectClose(code: CloseCode.goingAway.rawValue, reason: "going away", direction: .downstream), by: .proxy)
                }
            }
        }
    }

    @discardableResult
    private func drainNow(instance: Int, mode: DrainMode) -> [ProxyConnection] {
        let drained = state.withLock { s in
            s.drainedInstances.insert(instance)
            return s.connections.filter { s.instances[$0.key] == instance }.map(\.value)
        }
        for connection in drained {
            connection.eventLoop.execute {
                switch mode {
                case .fin: connection.end(.closeTransport, by: .proxy)
                case .goingAway:
                    connection.end(
                        .injectClose(code: CloseCode.goingAway.rawValue, reason: "going away", direction: .downstream), by: .proxy)
                }
            }
        }
        return drained
    }

    // MARK: - Metrics

    /// The Prometheus text exposition of this proxy's counters.
    public func metricsText() -> String { metrics.render() }

    // MARK: - Connection bookkeeping (called on connection event loops)

    func rollFaults() -> [ConfiguredFault] {
        currentFaults.filter { !($0.fault is any FrameFault) && $0.roll() }
    }

    /// The connections open now (each is read and changed on its own event loop only).
    var openConnections: [ProxyConnection] { state.withLock { Array($0.connections.values) } }

    func register(_ connection: ProxyConnection) {
        state.withLock { $0.connections[ObjectIdentifier(connection)] = connection }
    }

    func unregister(_ connection: ProxyConnection) {
        state.withLock { s in
            s.connections.removeValue(forKey: ObjectIdentifier(connection))
            s.instances.removeValue(forKey: ObjectIdentifier(connection))
        }
    }

    func assign(_ connection: ProxyConnection, to instance: Int) {
        state.withLock { $0.instances[ObjectIdentifier(connection)] = instance }
    }

    func noteRequest(isUpgrade: Bool) -> HandshakeContext {
        state.withLock { s in
            if isUpgrade { s.upgradeRequests += 1 }
            return HandshakeContext(isUpgrade: isUpgrade, openWebSockets: s.openWebSockets, upgradeRequestNumber: s.upgradeRequests)
        }
    }

    var openWebSocketCount: Int { state.withLock { $0.openWebSockets } }
    func webSocketOpened() { state.withLock { $0.openWebSockets += 1 } }
    func webSocketClosed() { state.withLock { $0.openWebSockets -= 1 } }

    /// The instance for a new connection: the preferred (sticky) one when valid and in service,
    /// else the next in round-robin order among instances in service; nil when none is.
    func pickInstance(preferred: Int?) -> Int? {
        state.withLock { s in
            let drained = s.drainedInstances
            let count = configuration.upstreams.count
            if let preferred, (0..<count).contains(preferred), !drained.contains(preferred) { return preferred }
            for _ in 0..<count {
                let candidate = s.nextInstance % count
                s.nextInstance = (s.nextInstance + 1) % count
                if !drained.contains(candidate) { return candidate }
            }
            return nil
        }
    }
}
