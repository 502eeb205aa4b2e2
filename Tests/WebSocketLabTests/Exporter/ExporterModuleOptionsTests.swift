import Foundation
import Synchronization
import Testing
import WebSocketDiagnosis
import WebSocketLab
import WebSocketProbe

/// The exporter's module options that `diagnose` has too: a fleet (`connections`, `hold`), a CONNECT proxy
/// and a client certificate, through real `/probe` requests and through the configuration file's checks.
@Suite("Exporter module options (fleet, proxy, client certificate)", .serialized)
struct ExporterModuleOptionsTests {
    /// The lab behind the fault proxy, an exporter whose module `fleet` holds `connections` through the proxy
    /// for `hold`, and the probe's answer; `during` runs once the whole fleet is open (with the proxy).
    func fleetProbe(connections: Int, hold: String, during: (@Sendable (FaultProxy) throws -> Void)? = nil) async throws -> String {
        let lab = try await LabServer.start(LabConfiguration())
        let proxy: FaultProxy
        do {
            proxy = try await FaultProxy.start(ProxyConfiguration(upstreams: [ProxyUpstream(host: "127.0.0.1", port: lab.port)]))
        } catch {
            await lab.shutdown()
            throw error
        }
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("ws1011-exporter-fleet-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: dir) }
        do {
            try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
            let token = try await lab.mintToken(email: TestUser.enterprise.email)
            let tokenFile = dir.appendingPathComponent("token").path
            try Data(token.utf8).write(to: URL(fileURLWithPath: tokenFile))
            var module = ExporterModule(profile: "reference")
            module.tokenFile = tokenFile
            module.timeout = "30s"
            module.connections = connections
            module.hold = hold
            let exporter = try await ExporterServer.start(
                ExporterServer.Options(), configuration: ExporterConfiguration(modules: ["fleet": module]))
            let target = proxy.url(path: "/ws").addingPercentEncoding(withAllowedCharacters: .alphanumerics)!
            async let answer = ExporterServerTests.get(exporter.port, "/probe?target=\(target)&module=fleet", bound: .seconds(60))
            if let during {
                // The fleet is open when the proxy holds `connections` connections and has answered their
                // upgrades after the main attempt's (bounded wait): the main attempt's connection, still
                // closing on a busy machine, must not stand in for the fleet's last one.
                let deadline = ContinuousClock.now + .seconds(20)
                while ContinuousClock.now < deadline {
                    let metrics = proxy.metricsText()
                    let open = ExporterServerTests.value(metrics, "ws1011_proxy_connections_open") ?? 0
                    let upgraded = ExporterServerTests.value(metrics, #"ws1011_proxy_upgrades_total{status="101"}"#) ?? 0
                    if open >= Double(connections) && upgraded >= Double(connections + 1) { break }
                    try await Task.sleep(for: .milliseconds(50))
                }
                try during(proxy)
            }
            let r = try await answer
            await exporter.shutdown()
            await proxy.shutdown()
            await lab.shutdown()
            #expect(r.status == 200, "\(r.body)")
            #expect(!r.body.contains(token), "the token reached the metrics")
            return r.body
        } catch {
            await proxy.shutdown()
            await lab.shutdown()
            throw error
        }
    }

    @Test func aFleetModuleCutAllAtOnceByAReloadAnswersTheReloadVerdictAndTheFleetSeries() async throws {
        let body = try await fleetProbe(connections: 6, hold: "5s") { proxy in
            try proxy.addFault(FaultSpec(parsing: "reload:after=300ms"))
        }
        #expect(
            ExporterServerTests.value(body, #"probe_ws1011_verdict{layer="infrastructure",cause="infrastructure.reload-drain"}"#) == 1,
            "\(body)")
        #expect(ExporterServerTests.value(body, "probe_success") == 0)
        #expect(ExporterServerTests.value(body, #"probe_ws1011_fleet_connections{outcome="requested"}"#) == 6, "\(body)")
        #expect(ExporterServerTests.value(body, #"probe_ws1011_fleet_connections{outcome="ended"}"#) == 6, "\(body)")
        #expect(ExporterServerTests.value(body, "probe_ws1011_fleet_largest_cluster_connections") == 6, "\(body)")
        #expect(
            ExporterServerTests.value(body, "probe_ws1011_fleet_reopened_connections") == 6,
            "the reloaded proxy serves new upgrades: \(body)")
        #expect(ExporterServerTests.value(body, "probe_ws1011_fleet_hold_seconds") == 5)
        #expect(body.contains("# TYPE probe_ws1011_fleet_connections gauge"))
    }

    @Test func aFleetModuleOnAHealthyPathHoldsEveryConnectionAndIsHealthy() async throws {
        let body = try await fleetProbe(connections: 4, hold: "2s")
        #expect(ExporterServerTests.value(body, #"probe_ws1011_verdict{layer="healthy",cause="healthy"}"#) == 1, "\(body)")
        #expect(ExporterServerTests.value(body, #"probe_ws1011_fleet_connections{outcome="held"}"#) == 4, "\(body)")
        #expect(ExporterServerTests.value(body, #"probe_ws1011_fleet_connections{outcome="ended"}"#) == 0)
        #expect(ExporterServerTests.value(body, "probe_ws1011_fleet_largest_cluster_connections") == 0)
        // The proxy names its one upstream (X-Served-By: instance-0): counted, never a label.
        #expect(ExporterServerTests.value(body, "probe_ws1011_fleet_instances") == 1, "\(body)")
        #expect(ExporterServerTests.value(body, "probe_ws1011_fleet_failing_instances") == 0, "\(body)")
        #expect(!body.contains("instance-0"), "an instance name is the peer's words, never a label")
    }

    @Test func aModulesInstanceHeaderIsTheFleetsAndAFleetOptionOnly() throws {
        var module = ExporterModule(profile: "plain")
        module.instanceHeader = "X-Pod"
        let target = try WebSocketURL(parsing: "ws://127.0.0.1:1/")
        #expect(throws: ProbeError.invalidConfiguration("instanceHeader applies to the fleet: give connections too")) {
            try module.plan(target: target, bound: .seconds(10))
        }
        module.connections = 2
        #expect(try module.plan(target: target, bound: .seconds(10)).instanceHeader == "X-Pod")
        module.instanceHeader = "X-Pod: injected"
        #expect(throws: ProbeError.self) { try module.plan(target: target, bound: .seconds(10)) }
    }

    @Test func aTokenFileIsReadBoundedAndADirectoryIsNamedAsOne() throws {
        let target = try WebSocketURL(parsing: "ws://127.0.0.1:1/")
        var module = ExporterModule(profile: "plain")
        module.tokenFile = FileManager.default.temporaryDirectory.path
        let error = #expect(throws: ProbeError.self) { try module.plan(target: target, bound: .seconds(10)) }
        #expect(error?.description.contains("a directory") == true, "\(String(describing: error))")
        // A file far larger than any secret: refused as too large, without reading it whole.
        let big = FileManager.default.temporaryDirectory.appendingPathComponent("ws1011-big-token-\(UUID().uuidString)")
        try Data(repeating: 0x61, count: 4 << 20).write(to: big)
        defer { try? FileManager.default.removeItem(at: big) }
        module.tokenFile = big.path
        #expect(throws: ProbeError.self) { try module.plan(target: target, bound: .seconds(10)) }
        // A FIFO with no writer would block the probe's open before any bound: refused as not a regular file.
        let fifo = FileManager.default.temporaryDirectory.appendingPathComponent("ws1011-fifo-\(UUID().uuidString)").path
        #expect(mkfifo(fifo, 0o600) == 0)
        defer { unlink(fifo) }
        module.tokenFile = fifo
        let fifoError = #expect(throws: ProbeError.self) { try module.plan(target: target, bound: .seconds(10)) }
        #expect(fifoError?.description.contains("not a regular file") == true, "\(String(describing: fifoError))")
    }

    @Test func aModuleWithoutConnectionsHasNoFleetSeries() async throws {
        try await ExporterServerTests.withLabAndExporter { lab, exporter, _ in
            let target = lab.websocketURL.addingPercentEncoding(withAllowedCharacters: .alphanumerics)!
            let r = try await ExporterServerTests.get(exporter.port, "/probe?target=\(target)&module=lab")
            #expect(ExporterServerTests.value(r.body, "probe_success") == 1, "\(r.body)")
            #expect(!r.body.contains("probe_ws1011_fleet_"), "\(r.body)")
        }
    }

    @Test func theFleetsHoldFitsInTheProbesBound() throws {
        var module = ExporterModule(profile: "plain")
        module.connections = 3
        let target = try WebSocketURL(parsing: "ws://127.0.0.1:1/")
        #expect(try module.plan(target: target, bound: .seconds(10)).fleetHold == .seconds(5), "default: half the bound")
        module.hold = "8s"
        #expect(try module.plan(target: target, bound: .seconds(20)).fleetHold == .seconds(8))
        // A scrape timeout shorter than the hold: three quarters of the bound, so the scrape still gets an answer.
        #expect(try module.plan(target: target, bound: .seconds(4)).fleetHold == .seconds(3))
        #expect(try module.plan(target: target, bound: .seconds(4)).connections == 3)
    }

    @Test func aProxyModuleSendsTheTunnelThroughTheProxyAndNamesItWhenItIsDown() async throws {
        // Port 1: nothing listens there (as in the refused-port test).
        var module = ExporterModule(profile: "plain")
        module.proxy = "http://127.0.0.1:1"
        try await ExporterServerTests.withLabAndExporter(["proxied": module]) { lab, exporter, _ in
            let target = lab.websocketURL.addingPercentEncoding(withAllowedCharacters: .alphanumerics)!
            let r = try await ExporterServerTests.get(exporter.port, "/probe?target=\(target)&module=proxied")
            #expect(
                ExporterServerTests.value(r.body, #"probe_ws1011_verdict{layer="network",cause="network.proxy-unreachable"}"#) == 1,
                "\(r.body)")
            // The same target straight (the proxy off for loopback) is not the proxy's failure.
            var exempt = module
            exempt.noProxy = "127.0.0.1"
            let plan = try exempt.plan(target: try WebSocketURL(parsing: lab.websocketURL), bound: .seconds(5))
            #expect(plan.proxy?.applies(to: "127.0.0.1") == false)
        }
    }

    @Test func proxyCredentialsComeFromAFileOrTheEnvironmentAndAreScrubbed() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("ws1011-exporter-proxy-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let file = dir.appendingPathComponent("proxy-credentials").path
        try Data("alice:s3cret-Proxy-99\n".utf8).write(to: URL(fileURLWithPath: file))
        var module = ExporterModule(profile: "plain")
        module.proxy = "http://127.0.0.1:3128"
        module.proxyCredentialsFile = file
        let target = try WebSocketURL(parsing: "wss://chat.example.com/ws")
        let plan = try module.plan(target: target, bound: .seconds(5))
        #expect(plan.proxy?.username == "alice" && plan.proxy?.password == "s3cret-Proxy-99")
        #expect(plan.extraSecrets.contains("s3cret-Proxy-99"), "the password is scrubbed from every output")
        module.proxyCredentialsFile = nil
        module.proxyCredentialsEnv = "CORP_PROXY_AUTH"
        let fromEnvironment = try module.plan(target: target, bound: .seconds(5), environment: ["CORP_PROXY_AUTH": "bob:pw:with:colons"])
        #expect(fromEnvironment.proxy?.username == "bob" && fromEnvironment.proxy?.password == "pw:with:colons")
        #expect(throws: ProbeError.self) { try module.plan(target: target, bound: .seconds(5), environment: [:]) }
    }

    /// Each bad module is refused when the file is loaded, naming the module, the setting and the fix.
    @Test(arguments: [
        (#"{"proxy": "http://alice:pw@127.0.0.1:3128"}"#, "proxyCredentialsFile"),
        (#"{"proxyCredentialsEnv": "X"}"#, "give proxy too"),
        (#"{"proxy": "socks5://127.0.0.1:1080"}"#, "http://HOST:PORT"),
        (#"{"keyFile": "/tmp/k.pem"}"#, "give certFile too"),
        (#"{"certFile": "/nonexistent/client.pem"}"#, "/nonexistent/client.pem"),
        (#"{"connections": 0}"#, "connections must be 1 to 1000"),
        (#"{"connections": 1001}"#, "connections must be 1 to 1000"),
        (#"{"hold": "5s"}"#, "give connections too"),
        (#"{"connections": 5, "hold": "soon"}"#, "hold"),
        (#"{"connections": 5, "instanceHeader": "X-Pod: injected"}"#, "instanceHeader"),
    ])
    func badModuleOptionsAreRefusedAtLoadNamingTheSettingAndTheFix(_ module: String, _ expected: String) throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("ws1011-exporter-bad-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let path = dir.appendingPathComponent("modules.json").path
        try Data(#"{"modules": {"m": \#(module)}}"#.utf8).write(to: URL(fileURLWithPath: path))
        let error = #expect(throws: ProbeError.self) { try ExporterConfiguration.load(path: path) }
        let text = error?.description ?? ""
        #expect(text.contains("module 'm'") && text.contains(expected), "\(text)")
        #expect(!text.contains("alice:pw"), "a credential was quoted: \(text)")
    }
}
