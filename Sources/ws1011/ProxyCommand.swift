import ArgumentParser
import Foundation
import NIOPosix
import WebSocketDiagnosis
import WebSocketLab

/// `ws1011 proxy`: the WebSocket-aware fault proxy in front of one or more upstreams, until interrupted.
struct ProxyCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "proxy",
        abstract: "Run the WebSocket-aware fault proxy until Ctrl-C (SIGINT) or SIGTERM.",
        discussion: "Faults: " + FaultRegistry.standard.catalog.joined(separator: "\n  ") + "\n\n" + adminHelp)

    /// The admin API's endpoints and protection, for --help.
    static let adminHelp = """
        Admin API (--admin HOST:PORT, default none; JSON over HTTP): change faults while the proxy runs.
          GET    /faults        the installed faults: [{"name","parameters","spec"}]
          POST   /faults        install one: {"name":"idle-timeout","parameters":{"after":"2s"}} or "idle-timeout:after=2s" (201)
          DELETE /faults/NAME   remove it (204; 404 when none is installed)
          POST   /reset         remove every fault (204)
          GET    /metrics       Prometheus text (connections, upgrades, frames, closes, bytes)
        Protection (a web page in your browser can reach 127.0.0.1 too):
          - Host must name the admin address (127.0.0.1:PORT, localhost:PORT; any of this machine's addresses or its \
        name on 0.0.0.0), else 403: a DNS-rebinding page sends its own name.
          - A request with an Origin header (a browser) must come from the admin origin itself, else 403.
          - Changes (POST, DELETE) need Content-Type: application/json (a browser cannot send that cross-origin \
        without a preflight, which is refused), else 415; with an admin token set (--admin-token-file PATH, - for \
        standard input, or WS1011_ADMIN_TOKEN) they need Authorization: Bearer TOKEN instead, else 401. The token \
        is never printed. Reads (GET) need no token, so /metrics can be scraped.
          - --admin off loopback (0.0.0.0) starts with a warning: set a token there.
          curl -H 'Content-Type: application/json' -d '{"name":"blackhole"}' http://127.0.0.1:9090/faults
        """

    @Option(help: ArgumentHelp("Where to listen, HOST:PORT (port 0 picks a free one).", valueName: "HOST:PORT"))
    var listen: String

    @Option(
        name: .customLong("upstream"),
        help: ArgumentHelp("An upstream instance HOST:PORT (repeatable; round-robin).", valueName: "HOST:PORT"))
    var upstreams: [String] = []

    @Option(
        help: ArgumentHelp(
            "Terminate TLS with the lab's CA: " + TLSVariant.allCases.map(\.rawValue).joined(separator: ", ") + ".", valueName: "VARIANT"))
    var tls: String?

    @Flag(
        help: ArgumentHelp(
            "Serve HTTP/2 too (needs --tls): ALPN h2 and http/1.1, SETTINGS_ENABLE_CONNECT_PROTOCOL = 1, WebSockets over HTTP/2 (RFC 8441) bridged to the upstream as HTTP/1.1 upgrades — as browsers open them. With --fault h2-connect-broken the setting is advertised and the extended CONNECT fails."
        ))
    var http2 = false

    @Option(
        name: .customLong("fault"),
        help: ArgumentHelp("A fault NAME[:k=v,…] (repeatable), e.g. idle-timeout:after=2s, reject-upgrade:status=503.", valueName: "SPEC"))
    var faults: [String] = []

    @Option(
        name: .customLong("preset"),
        help: ArgumentHelp(
            "A named front NAME[:k=v] (repeatable): " + FaultPreset.allCases.map(\.rawValue).joined(separator: ", ") + ".",
            valueName: "NAME"))
    var presets: [String] = []

    @Option(
        help: ArgumentHelp(
            "Serve the admin API (faults at run time, /metrics) on HOST:PORT; see below for its endpoints and protection.",
            valueName: "HOST:PORT"))
    var admin: String?

    @Option(
        help: ArgumentHelp(
            "Read the admin API's bearer token from PATH (- for standard input); changes then need Authorization: Bearer TOKEN. Or set WS1011_ADMIN_TOKEN.",
            valueName: "PATH"))
    var adminTokenFile: String?

    @Option(
        help: ArgumentHelp(
            "How long the proxy's own answer (400, 431, 502, 503, 504) may take to reach a client; a client that does not read it is closed then (default 5s, at most 1h).",
            valueName: "DURATION"))
    var answerTimeout: String?

    @Option(
        help: ArgumentHelp(
            "Event-loop threads (default 1: both sides of a connection always share one loop, and one loop batches more work per wake-up; raise it for many busy connections on idle cores).",
            valueName: "N"))
    var threads: Int = 1

    @Option(
        help: ArgumentHelp(
            "Make the faults' chance repeatable: probability= rolls, latency jitter and slicer spread draw from a generator seeded with N (also for faults added through the admin API). The same run repeats when its connections come in the same order (one at a time, or one thread). Default: the system's random source.",
            valueName: "N"))
    var seed: UInt64?

    func run() async throws {
        let listenAddress = try HostPort(parsing: listen, option: "--listen")
        guard (1...256).contains(threads) else {
            throw UsageError("--threads \(threads) is out of range: give 1 to 256 event-loop threads")
        }
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
        var tlsVariant: TLSVariant?
        if let tls {
            guard let variant = TLSVariant(rawValue: tls.lowercased()) else {
                throw UsageError("unknown --tls '\(tls)': use one of \(TLSVariant.allCases.map(\.rawValue).joined(separator: ", "))")
            }
            tlsVariant = variant
        }
        if !http2,
            let name = specs.first(where: { spec in
                ((try? FaultRegistry.standard.make(spec)) ?? []).contains { $0.fault is any HTTP2ConnectFault }
            })?.name
        {
            throw UsageError("--fault \(name) acts on WebSockets over HTTP/2: add --http2 (with --tls VARIANT), or drop the fault")
        }
        if http2, tlsVariant == nil {
            throw UsageError("--http2 needs --tls VARIANT (e.g. --tls valid): browsers speak HTTP/2 only over TLS with ALPN h2")
        }
        var configuration = ProxyConfiguration(upstreams: upstreamList, faults: specs)
        if let answerTimeout { configuration.answerTimeout = try Self.answerTimeout(answerTimeout) }
        configuration.tlsVariant = tlsVariant
        configuration.http2 = http2
        configuration.listenHost = listenAddress.host
        configuration.listenPort = listenAddress.port
        if let admin {
            let adminAddress = try HostPort(parsing: admin, option: "--admin")
            configuration.adminHost = adminAddress.host
            configuration.adminPort = adminAddress.port
            configuration.adminToken = try adminToken()
        } else if adminTokenFile != nil {
            throw UsageError("--admin-token-file needs --admin HOST:PORT: the token protects the admin API")
        }
        let group = MultiThreadedEventLoopGroup(numberOfThreads: threads)
        let proxy: FaultProxy
        do {
            var registry = FaultRegistry.standard
            if let seed { registry.random = .seeded(seed) }
            proxy = try await FaultProxy.start(configuration, eventLoopGroup: group, registry: registry)
        } catch {
            try? await group.shutdownGracefully()
            throw error
        }
        let caFile: TemporaryCAFile?
        do {
            caFile = try proxy.rootCertificatePEM.map { try TemporaryCAFile(pem: $0, name: "proxy") }
        } catch {
            await proxy.shutdown()
            try? await group.shutdownGracefully()
            throw error
        }
        defer { caFile?.remove() }
        if let warning = ExposureNotice.warning(
            "the proxy", host: listenAddress.host, port: proxy.port,
            consequence: "anyone who can reach this machine can connect through it to the upstreams.")
        {
            Console.error(warning)
        }
        if let adminPort = proxy.adminPort,
            let warning = ExposureNotice.warning(
                "the admin API", host: configuration.adminHost, port: adminPort,
                consequence: "anyone who can reach this machine can install faults (blackhole, strip-header, …) and read /metrics. "
                    + (configuration.adminToken == nil
                        ? "Set an admin token (--admin-token-file PATH or WS1011_ADMIN_TOKEN): without one, changes need only a JSON content type."
                        : "Changes need the admin token."))
        {
            Console.error(warning)
        }
        let chance = seed.map { "repeatable, seed \($0) (--seed)" } ?? "the system's random source (--seed N to repeat a run)"
        var lines = [
            "ws1011 proxy listening on \(proxy.url(path: "/"))",
            "  upstreams: " + upstreamList.map(\.description).joined(separator: ", "),
            "  http/2:    " + (http2 ? "served (ALPN h2, extended CONNECT advertised)" : "no (HTTP/1.1 only; --http2 to serve it)"),
            "  threads:   \(threads) event loop\(threads == 1 ? "" : "s")",
            "  faults:    " + (specs.isEmpty ? "none" : specs.map(\.description).joined(separator: " ")),
            "  chance:    \(chance)",
            "  answers:   the proxy's own answers get \(DurationText.format(configuration.answerTimeout)) to reach a client (--answer-timeout)",
        ]
        if let caFile {
            lines.append("  CA file:   \(caFile.path)  (diagnose with --ca-file \(caFile.path); removed when the proxy stops)")
        }
        if let note = ExposureNotice.addressNote(host: listenAddress.host, port: proxy.port) {
            lines.append("  \(note)")
        }
        if let adminURL = proxy.adminURL, let adminPort = proxy.adminPort {
            let protection =
                configuration.adminToken == nil
                ? "changes need Content-Type: application/json"
                : "changes need the admin token (Authorization: Bearer)"
            lines.append("  admin:     \(adminURL)  (GET /faults, /metrics; \(protection); see --help)")
            if let note = ExposureNotice.addressNote(host: configuration.adminHost, port: adminPort) {
                lines.append("  \(note)")
            }
        }
        lines.append("Ctrl-C to stop.")
        Console.out(lines.joined(separator: "\n") + "\n")
        let sig = await TerminationSignal.wait()
        Console.out("\nreceived signal \(sig), shutting down…\n")
        await proxy.shutdown()
        try? await group.shutdownGracefully()
        Console.out("proxy stopped\n")
    }

    /// The bound of `--answer-timeout`: a duration longer than zero and at most an hour (a longer one would only
    /// keep a client that does not read connected).
    static func answerTimeout(_ text: String) throws -> Duration {
        guard let duration = DurationText.parse(text) else { throw UsageError(DurationText.syntaxHelp(text, option: "--answer-timeout")) }
        guard duration > .zero, duration <= .seconds(3600) else {
            throw UsageError("--answer-timeout \(text) is out of range: give more than 0 and at most 1h, e.g. 5s")
        }
        return duration
    }

    /// The admin token from --admin-token-file or WS1011_ADMIN_TOKEN, or nil; registered with the console so that
    /// no output can show it.
    private func adminToken() throws -> String? {
        let token: String
        if let adminTokenFile {
            token = try SecretInput.read(path: adminTokenFile, option: "--admin-token-file")
        } else if let value = try SecretInput.environment("WS1011_ADMIN_TOKEN") {
            token = value
        } else {
            return nil
        }
        guard !token.contains(" ") else {
            throw UsageError("the admin token contains a space: a bearer token is one word (letters, digits, -._~+/=)")
        }
        Console.register(secrets: [token])
        return token
    }
}
