import ArgumentParser
import Foundation
import NIOPosix
import NIOSSL
import WebSocketLab
import WebSocketProbe

/// `ws1011 proxy`: the WebSocket-aware fault proxy in front of one or more upstreams, until interrupted.
struct ProxyCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "proxy",
        abstract: "Run the WebSocket-aware fault proxy until Ctrl-C (SIGINT) or SIGTERM.",
        discussion: "Faults: " + FaultRegistry.standard.catalog.joined(separator: "\n  "))

    @Option(help: ArgumentHelp("Where to listen, HOST:PORT (port 0 picks a free one).", valueName: "HOST:PORT"))
    var listen: String

    @Option(name: .customLong("upstream"), help: ArgumentHelp("An upstream instance HOST:PORT (repeatable; round-robin).", valueName: "HOST:PORT"))
    var upstreams: [String] = []

    @Option(help: ArgumentHelp("Terminate TLS with the lab's CA: " + TLSVariant.allCases.map(\.rawValue).joined(separator: ", ") + ".", valueName: "VARIANT"))
    var tls: String?

    @Option(name: .customLong("fault"), help: ArgumentHelp("A fault NAME[:k=v,…] (repeatable), e.g. idle-timeout:after=2s, reject-upgrade:status=503.", valueName: "SPEC"))
    var faults: [String] = []

    @Option(name: .customLong("preset"), help: ArgumentHelp("A named front NAME[:k=v] (repeatable): " + FaultPreset.allCases.map(\.rawValue).joined(separator: ", ") + ".", valueName: "NAME"))
    var presets: [String] = []

    @Option(help: ArgumentHelp("Serve the admin API (faults at run time, /metrics) on HOST:PORT.", valueName: "HOST:PORT"))
    var admin: String?

    @Option(help: ArgumentHelp(
        "Event-loop threads (default 1: both sides of a connection always share one loop, and one loop batches more work per wake-up; raise it for many busy connections on idle cores).",
        valueName: "N"))
    var threads: Int = 1

    func run() async throws {
        let listenAddress = try HostPort(parsing: listen, option: "--listen")
        guard (1...256).contains(threads) else { throw UsageError("--threads \(threads) is out of range: give 1 to 256 event-loop threads") }
        guard !upstreams.isEmpty else { throw UsageError("give at least one --upstream HOST:PORT") }
        let upstreamList = try upstreams.map { try HostPort(parsing: $0, option: "--upstream") }
            .map { ProxyUpstream(host: $0.host, port: $0.port) }
        for preset in presets {
            let name = preset.split(separator: ":", maxSplits: 1).first.map(String.init) ?? preset
            guard FaultPreset(rawValue: name) != nil else {
                throw UsageError("unknown --preset '\(name)': valid presets: " + FaultPreset.allCases.map(\.usage).joined(separator: ", "))
            }
        }
        var specs: [FaultSpec] = []
        for text in faults + presets {
            do {
                let spec = try FaultSpec(parsing: text)
                _ = try FaultRegistry.standard.make(spec)
                specs.append(spec)
            } catch {
                throw UsageError("\(error.description)\nvalid faults:\n  " + FaultRegistry.standard.catalog.joined(separator: "\n  "))
            }
        }
        var tlsContext: NIOSSLContext?
        var caFile: String?
        if let tls {
            guard let variant = TLSVariant(rawValue: tls.lowercased()) else {
                throw UsageError("unknown --tls '\(tls)': use one of \(TLSVariant.allCases.map(\.rawValue).joined(separator: ", "))")
            }
            var hosts = ["localhost", "127.0.0.1", "::1"]
            if !hosts.contains(listenAddress.host), listenAddress.host != "0.0.0.0", listenAddress.host != "::" { hosts.append(listenAddress.host) }
            let authority = try LabCertificateAuthority.generate(hosts: hosts)
            tlsContext = try authority.makeServerContext(variant)
            let path = FileManager.default.temporaryDirectory.appendingPathComponent("ws1011-proxy-ca-\(getpid()).pem").path
            try authority.writeRootPEM(to: path)
            caFile = path
        }
        var configuration = ProxyConfiguration(upstreams: upstreamList, faults: specs)
        configuration.tls = tlsContext
        configuration.listenHost = listenAddress.host
        configuration.listenPort = listenAddress.port
        if let admin {
            let adminAddress = try HostPort(parsing: admin, option: "--admin")
            configuration.adminHost = adminAddress.host
            configuration.adminPort = adminAddress.port
        }
        let group = MultiThreadedEventLoopGroup(numberOfThreads: threads)
        let proxy: FaultProxy
        do {
            proxy = try await FaultProxy.start(configuration, eventLoopGroup: group)
        } catch {
            try? await group.shutdownGracefully()
            throw error
        }
        var lines = [
            "ws1011 proxy listening on \(proxy.url(path: "/"))",
            "  upstreams: " + upstreamList.map(\.description).joined(separator: ", "),
            "  threads:   \(threads) event loop\(threads == 1 ? "" : "s")",
            "  faults:    " + (specs.isEmpty ? "none" : specs.map(\.description).joined(separator: " ")),
        ]
        if let caFile {
            lines.append("  CA file:   \(caFile)  (diagnose with --ca-file \(caFile))")
        }
        if let adminPort = proxy.adminPort {
            lines.append("  admin:     http://\(configuration.adminHost):\(adminPort)  (GET /faults, /metrics)")
        }
        lines.append("Ctrl-C to stop.")
        Console.out(lines.joined(separator: "\n") + "\n")
        let sig = await TerminationSignal.wait()
        Console.out("\nreceived signal \(sig), shutting down…\n")
        await proxy.shutdown()
        try? await group.shutdownGracefully()
        Console.out("proxy stopped\n")
    }
}
