import ArgumentParser
import Dispatch
import Foundation
import WebSocketProbe

/// `ws1011 exporter`: Prometheus scrapes `/probe?target=…&module=…` and gets the verdict as series.
struct ExporterCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "exporter",
        abstract: "A Prometheus exporter in the blackbox pattern: /probe?target=wss://…&module=NAME answers the verdict as metrics.",
        discussion: """
            Endpoints: GET /probe?target=URL&module=NAME[&debug=true] (one probe; debug: the text report), \
            GET /metrics (the exporter's own), POST /-/reload (SIGHUP too), GET / (usage and modules).
            Without --config every built-in profile is a module named after it (plain, echo, reference). A config \
            file is JSON: {"modules": {"chat": {"profile": "echo", "tokenFile": "/run/secrets/token", "timeout": "8s", \
            "headers": {"X-Env": "prod"}, "subprotocols": ["chat.v1"], "caFile": "ca.pem", "idleProbe": "70s"}}}. \
            As in diagnose, a module may hold a fleet ("connections": 200, "hold": "20s", "instanceHeader": "X-Instance-Id"; the probe_ws1011_fleet_* series \
            count it), a client certificate ("certFile", "keyFile") and a CONNECT proxy ("proxy": "http://HOST:PORT", \
            "proxyCredentialsFile" or "proxyCredentialsEnv" holding USER:PASSWORD, "noProxy"). \
            Credentials come from tokenFile/tokenEnv (or secretFile/secretEnv with user), never from the file itself, \
            and never reach a label, a debug page or a log.
            It binds 127.0.0.1 by default and then refuses requests whose Host is not its own address (DNS rebinding) \
            and any request from a web page (an Origin header). Each probe is bounded by the scrape timeout Prometheus \
            announces, less 500 ms.
            Exit codes: 0 stopped by SIGINT/SIGTERM, 2 a usage or configuration error.
            """)

    @Option(
        help: ArgumentHelp(
            "Listen on HOST:PORT (default 127.0.0.1:9312). Off loopback it warns loudly: anyone who reaches the port can make it probe any URL.",
            valueName: "HOST:PORT"))
    var listen: String = "127.0.0.1:9312"

    @Option(help: ArgumentHelp("The modules file (JSON); re-read on SIGHUP and POST /-/reload.", valueName: "PATH"))
    var config: String?

    @Option(name: .customLong("max-concurrent"), help: "Probes running at once; one more is answered 503 (default 64).")
    var maxConcurrent: Int = 64

    func run() async throws {
        let address = try HostPort(parsing: listen, option: "--listen")
        guard maxConcurrent >= 1 else { throw UsageError("--max-concurrent must be at least 1 (got \(maxConcurrent))") }
        let configuration = try config.map { try ExporterConfiguration.load(path: $0) } ?? .builtIn
        var options = ExporterServer.Options()
        options.host = address.host
        options.port = address.port
        options.maxConcurrentProbes = maxConcurrent
        options.configurationPath = config
        if !ExporterServer.isLoopback(address.host) {
            Console.error(
                """
                ws1011: WARNING: the exporter listens on \(address.host), not on loopback. Anyone who reaches this port can \
                make it open WebSocket connections to any URL, with the credentials of its modules. Bind 127.0.0.1 \
                behind an authenticating proxy, or firewall the port to your Prometheus.
                """)
        }
        let server: ExporterServer
        do { server = try await ExporterServer.start(options, configuration: configuration) } catch {
            throw UsageError("cannot listen on \(listen): \(error). Choose another address or port")
        }
        let shown =
            ExporterServer.isLoopback(address.host) || address.host == "0.0.0.0" || address.host == "::" ? "127.0.0.1" : address.host
        Console.out(
            """
            ws1011 exporter on http://\(shown):\(server.port)/
              probe:   curl 'http://\(shown):\(server.port)/probe?target=wss://host/ws&module=\(configuration.modules.keys.sorted().first ?? "plain")'
              modules: \(configuration.modules.keys.sorted().joined(separator: ", "))
            Ctrl-C to stop; SIGHUP or POST /-/reload re-reads \(config ?? "(no config file: built-in modules)").

            """)
        let hangup = DispatchSource.makeSignalSource(signal: SIGHUP, queue: .global())
        signal(SIGHUP, SIG_IGN)
        hangup.setEventHandler {
            do {
                try server.reload()
                Console.out("ws1011 exporter: configuration reloaded (\(server.configuration.modules.count) module(s))\n")
            } catch {
                Console.error("ws1011 exporter: reload failed, the previous configuration stays: \(error)")
            }
        }
        hangup.resume()
        let sig = await TerminationSignal.wait()
        hangup.cancel()
        Console.out("\nreceived signal \(sig), shutting down…\n")
        await server.shutdown()
        Console.out("exporter stopped\n")
    }
}
