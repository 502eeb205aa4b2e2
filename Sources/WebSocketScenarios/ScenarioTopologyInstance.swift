import NIOCore
import WebSocketLab

/// A started scenario topology: the lab backend instance(s), the fault proxy when asked, and the URLs.
final class ScenarioTopologyInstance: Sendable {
    /// The backend instances (at least one).
    let labs: [LabServer]
    /// The URL the client probes (the front, or the backend).
    let clientURL: String
    /// The backend's own URL (for `probe.direct`).
    let directURL: String
    /// Extra trust roots for `wss://` (the lab CA's root).
    let trustRootsPEM: [String]
    private let stopFront: @Sendable () async -> Void
    /// The fault proxy in front (`topology.path` `proxy`).
    private let proxy: FaultProxy?

    var primary: LabServer { labs[0] }

    private init(
        labs: [LabServer], clientURL: String, directURL: String, trustRootsPEM: [String], proxy: FaultProxy? = nil,
        stopFront: @escaping @Sendable () async -> Void
    ) {
        self.labs = labs
        self.proxy = proxy
        self.clientURL = clientURL
        self.directURL = directURL
        self.trustRootsPEM = trustRootsPEM
        self.stopFront = stopFront
    }

    /// Starts what `scenario.topology` describes on loopback (ports from the OS).
    static func start(_ scenario: Scenario, eventLoopGroup: (any EventLoopGroup)?) async throws -> ScenarioTopologyInstance {
        let topology = scenario.topology
        var variant: TLSVariant?
        if let name = topology.tls {
            guard let v = TLSVariant(rawValue: name) else {
                throw ScenarioTopologyError(
                    message: "unknown TLS variant '\(name)': use one of \(TLSVariant.allCases.map(\.rawValue).joined(separator: ", "))")
            }
            variant = v
        }
        var configuration = LabConfiguration()
        configuration.appFaults = scenario.appFaults.map(\.spec)
        configuration.heartbeat = nil  // the lab's 20 s keepalive is irrelevant in a few-second run; the keepalive fault sets its own
        configuration.restartDowntime = .seconds(1)
        // Direct: the backend itself serves the TLS variant. Through the proxy: the front terminates TLS.
        if topology.path == .direct { configuration.tls = variant }
        var labs: [LabServer] = []
        do {
            for _ in 0..<topology.instances { labs.append(try await LabServer.start(configuration, eventLoopGroup: eventLoopGroup)) }
        } catch {
            for lab in labs { await lab.shutdown() }
            throw error
        }
        let lab = labs[0]
        let direct = lab.websocketURL
        if topology.path == .proxy {
            var proxyConfiguration = ProxyConfiguration(
                upstreams: labs.map { ProxyUpstream(host: $0.host, port: $0.port) }, faults: scenario.proxyFaults.map(\.spec))
            proxyConfiguration.upstreamResponseTimeout = .seconds(5)
            proxyConfiguration.http2 = topology.http2
            var roots: [String] = []
            let proxy: FaultProxy
            do {
                if let variant {
                    let authority = try LabCertificateAuthority.generate()
                    proxyConfiguration.tls = try authority.makeServerContext(
                        variant, applicationProtocols: topology.http2 ? ["h2", "http/1.1"] : ["http/1.1"])
                    roots = [authority.rootCertificatePEM]
                }
                proxy = try await FaultProxy.start(proxyConfiguration, eventLoopGroup: eventLoopGroup)
            } catch {
                for lab in labs { await lab.shutdown() }
                throw error
            }
            let front = proxy.url(path: "/ws")
            let client = topology.wssToPlaintext ? front.replacingOccurrences(of: "ws://", with: "wss://") : front
            return ScenarioTopologyInstance(
                labs: labs, clientURL: client, directURL: direct, trustRootsPEM: roots, proxy: proxy,
                stopFront: { await proxy.shutdown() })
        }
        let client = topology.wssToPlaintext ? direct.replacingOccurrences(of: "ws://", with: "wss://") : direct
        return ScenarioTopologyInstance(
            labs: labs, clientURL: client, directURL: direct, trustRootsPEM: lab.rootCertificatePEM.map { [$0] } ?? [], stopFront: {})
    }

    /// Switches every backend instance's application faults.
    func setAppFaults(_ specs: [FaultSpec]) throws {
        for lab in labs { try lab.setAppFaults(specs) }
    }

    /// Replaces the proxy's faults (no proxy: nothing to change; the loader refuses such a scenario).
    func setProxyFaults(_ specs: [FaultSpec]) throws {
        try proxy?.setFaults(specs)
    }

    /// Stops everything (bounded by the servers' own shutdown).
    func shutdown() async {
        await stopFront()
        for lab in labs { await lab.shutdown() }
    }
}
