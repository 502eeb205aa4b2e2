import Foundation
import NIOCore
import NIOPosix
import Testing
import WebSocketDiagnosis
import WebSocketLab
import WebSocketProbe

/// `ws1011 exporter` on loopback against the lab and hostile targets: the series, the errors, the bounds
/// and the protections, through real HTTP requests.
@Suite("Exporter against the lab", .serialized)
struct ExporterServerTests {
    /// One HTTP/1.1 request with `Connection: close`, read to EOF (bounded by `bound`); `host` overrides Host.
    static func get(
        _ port: Int, _ path: String, method: String = "GET", host: String? = nil, headers: [(String, String)] = [],
        bound: Duration = .seconds(30)
    ) async throws -> (status: Int, body: String) {
        let group = MultiThreadedEventLoopGroup.singleton
        let promise = group.next().makePromise(of: [UInt8].self)
        let channel = try await ClientBootstrap(group: group)
            .channelInitializer { channel in
                channel.eventLoop.makeCompletedFuture { try channel.pipeline.syncOperations.addHandler(Collector(promise: promise)) }
            }
            .connect(host: "127.0.0.1", port: port).get()
        var text = "\(method) \(path) HTTP/1.1\r\nHost: \(host ?? "127.0.0.1:\(port)")\r\nConnection: close\r\n"
        for (name, value) in headers { text += "\(name): \(value)\r\n" }
        try await channel.writeAndFlush(ByteBuffer(string: text + "\r\n"))
        let timeout = channel.eventLoop.scheduleTask(in: TimeAmount(bound)) { channel.close(promise: nil) }
        let raw = String(decoding: try await promise.futureResult.get(), as: UTF8.self)
        timeout.cancel()
        guard let split = raw.range(of: "\r\n\r\n"), let status = Int(raw.split(separator: " ").dropFirst().first ?? "") else {
            return (0, raw)
        }
        return (status, String(raw[split.upperBound...]))
    }

    final class Collector: ChannelInboundHandler, @unchecked Sendable {
        typealias InboundIn = ByteBuffer
        private var bytes: [UInt8] = []
        private let promise: EventLoopPromise<[UInt8]>
        init(promise: EventLoopPromise<[UInt8]>) { self.promise = promise }
        func channelRead(context: ChannelHandlerContext, data: NIOAny) { bytes += Array(unwrapInboundIn(data).readableBytesView) }
        func channelInactive(context: ChannelHandlerContext) { promise.succeed(bytes) }
    }

    /// The value of a sample line `name{labels} value` (first match).
    static func value(_ metrics: String, _ series: String) -> Double? {
        for line in metrics.split(separator: "\n") where line.hasPrefix(series + " ") {
            return Double(line.split(separator: " ").last ?? "")
        }
        return nil
    }

    static func withLabAndExporter(
        _ modules: [String: ExporterModule]? = nil, maxConcurrent: Int = 64,
        _ body: (LabServer, ExporterServer, String) async throws -> Void
    ) async throws {
        var labConfiguration = LabConfiguration()
        labConfiguration.agentStepDelay = .milliseconds(5)
        let lab = try await LabServer.start(labConfiguration)
        let token = try await lab.mintToken(email: TestUser.enterprise.email)
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("ws1011-exporter-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        let tokenFile = dir.appendingPathComponent("token").path
        try Data((token + "\n").utf8).write(to: URL(fileURLWithPath: tokenFile))
        var configuration = ExporterConfiguration.builtIn
        configuration.modules["lab"] = {
            var m = ExporterModule(profile: "reference"); m.tokenFile = tokenFile; m.timeout = "10s"; return m
        }()
        for (name, module) in modules ?? [:] { configuration.modules[name] = module }
        var options = ExporterServer.Options()
        options.maxConcurrentProbes = maxConcurrent
        let exporter = try await ExporterServer.start(options, configuration: configuration)
        do {
            try await body(lab, exporter, token)
        } catch {
            await exporter.shutdown(); await lab.shutdown(); try? FileManager.default.removeItem(at: dir)
            throw error
        }
        await exporter.shutdown()
        await lab.shutdown()
        try? FileManager.default.removeItem(at: dir)
    }

    @Test func aHealthyLabProbeIsSuccessWithTheHealthyVerdictAndTheTokenNeverAppears() async throws {
        try await Self.withLabAndExporter { lab, exporter, token in
            let target = lab.websocketURL.addingPercentEncoding(withAllowedCharacters: .alphanumerics)!
            let r = try await Self.get(exporter.port, "/probe?target=\(target)&module=lab")
            #expect(r.status == 200, "\(r.body)")
            #expect(Self.value(r.body, "probe_success") == 1, "\(r.body)")
            #expect(Self.value(r.body, "probe_websocket_status_code") == 101)
            #expect(Self.value(r.body, "probe_websocket_connection_upgraded") == 1)
            #expect(Self.value(r.body, #"probe_ws1011_verdict{layer="healthy",cause="healthy"}"#) == 1, "\(r.body)")
            #expect(r.body.contains("# HELP probe_success") && r.body.contains("# TYPE probe_ws1011_verdict gauge"))
            #expect(!r.body.contains(token))
            let debug = try await Self.get(exporter.port, "/probe?target=\(target)&module=lab&debug=true")
            #expect(debug.body.contains("Verdict: HEALTHY"), "\(debug.body)")
            #expect(!debug.body.contains(token))
            let own = try await Self.get(exporter.port, "/metrics")
            #expect(Self.value(own.body, #"ws1011_exporter_probes_total{module="lab",result="success"}"#) == 2, "\(own.body)")
        }
    }

    @Test func aRefusedPortIsFailureWithTheNetworkVerdict() async throws {
        try await Self.withLabAndExporter { _, exporter, _ in
            // A port that refuses: bind then close a listener's port is racy; use port 1 (never listening as non-root services here).
            let r = try await Self.get(exporter.port, "/probe?target=ws%3A%2F%2F127.0.0.1%3A1%2Fws&module=plain")
            #expect(r.status == 200)
            #expect(Self.value(r.body, "probe_success") == 0)
            #expect(Self.value(r.body, #"probe_ws1011_verdict{layer="network",cause="network.connection-refused"}"#) == 1, "\(r.body)")
            #expect(Self.value(r.body, "probe_websocket_status_code") == 0)
        }
    }

    @Test func badRequestsNameTheProblemAndNeverQuoteACredential() async throws {
        try await Self.withLabAndExporter { _, exporter, _ in
            let missing = try await Self.get(exporter.port, "/probe?module=plain")
            #expect(missing.status == 400 && missing.body.contains("missing target"), "\(missing.body)")
            let unknown = try await Self.get(exporter.port, "/probe?target=ws%3A%2F%2F127.0.0.1%3A1%2F&module=nope")
            #expect(
                unknown.status == 400 && unknown.body.contains("unknown module 'nope'") && unknown.body.contains("plain"), "\(unknown.body)"
            )
            let bad = try await Self.get(exporter.port, "/probe?target=http%3A%2F%2Fh.example%2F%3Ftoken%3Dsecret-abcdef-123&module=plain")
            #expect(bad.status == 400, "\(bad.body)")
            #expect(!bad.body.contains("secret-abcdef-123"), "\(bad.body)")
            let nowhere = try await Self.get(exporter.port, "/nowhere")
            #expect(nowhere.status == 404)
        }
    }

    @Test func aForeignHostOrAWebPageIsRefused() async throws {
        try await Self.withLabAndExporter { _, exporter, _ in
            let rebinding = try await Self.get(exporter.port, "/metrics", host: "evil.example:\(exporter.port)")
            #expect(rebinding.status == 403 && rebinding.body.contains("Host"), "\(rebinding.body)")
            let page = try await Self.get(exporter.port, "/-/reload", method: "POST", headers: [("Origin", "http://evil.example")])
            #expect(page.status == 403, "\(page.body)")
            let local = try await Self.get(exporter.port, "/metrics", host: "localhost:\(exporter.port)")
            #expect(local.status == 200)
        }
    }

    @Test func aScrapeTimeoutHeaderOfAnyNumberNeverTrapsTheExporter() async throws {
        try await Self.withLabAndExporter(nil) { _, exporter, _ in
            for announced in ["inf", "1e300", "nan", "-5", "9223372036854775807"] {
                let r = try await Self.get(
                    exporter.port, "/probe?target=ws%3A%2F%2F127.0.0.1%3A1%2Fws&module=plain",
                    headers: [("X-Prometheus-Scrape-Timeout-Seconds", announced)])
                #expect(r.status == 200, "\(announced): \(r.body)")
                #expect(Self.value(r.body, "probe_success") == 0, "\(announced): \(r.body)")
            }
        }
    }

    @Test func theScrapeTimeoutBoundsAProbeOfASilentServer() async throws {
        // A server that accepts TCP and never answers the upgrade.
        let silent = try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .childChannelInitializer { $0.eventLoop.makeSucceededVoidFuture() }
            .bind(host: "127.0.0.1", port: 0).get()
        defer { silent.close(promise: nil) }
        var slow = ExporterModule(profile: "plain")
        slow.timeout = "60s"
        try await Self.withLabAndExporter(["slow": slow]) { _, exporter, _ in
            let started = ContinuousClock.now
            let r = try await Self.get(
                exporter.port, "/probe?target=ws%3A%2F%2F127.0.0.1%3A\(silent.localAddress!.port!)%2F&module=slow",
                headers: [("X-Prometheus-Scrape-Timeout-Seconds", "2.5")])
            let took = ContinuousClock.now - started
            // Configured: 2.5 s less the 0.5 s margin (+ the run's 2 s grace at worst); the module allows 60 s.
            #expect(took < .seconds(12), "a 2.5 s scrape took \(took)")
            #expect(r.status == 200, "\(r.body)")
            #expect(Self.value(r.body, "probe_success") == 0, "\(r.body)")
        }
    }

    @Test func probesBeyondTheConcurrencyBoundAreRefusedWith503() async throws {
        let silent = try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .childChannelInitializer { $0.eventLoop.makeSucceededVoidFuture() }
            .bind(host: "127.0.0.1", port: 0).get()
        defer { silent.close(promise: nil) }
        var slow = ExporterModule(profile: "plain")
        slow.timeout = "3s"
        try await Self.withLabAndExporter(["slow": slow], maxConcurrent: 1) { _, exporter, _ in
            let path = "/probe?target=ws%3A%2F%2F127.0.0.1%3A\(silent.localAddress!.port!)%2F&module=slow"
            async let first = Self.get(exporter.port, path)
            try await Task.sleep(for: .milliseconds(500))
            let second = try await Self.get(exporter.port, path)
            #expect(second.status == 503, "\(second.body)")
            #expect(try await first.status == 200)
        }
    }

    @Test func aReloadWithABadFileKeepsTheModulesInForce() async throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("ws1011-exporter-reload-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let path = dir.appendingPathComponent("modules.json").path
        try Data(#"{"modules": {"one": {"profile": "plain"}}}"#.utf8).write(to: URL(fileURLWithPath: path))
        var options = ExporterServer.Options()
        options.configurationPath = path
        let exporter = try await ExporterServer.start(options, configuration: try ExporterConfiguration.load(path: path))
        try Data(#"{"modules": {"two": {"profile": "fancy"}}}"#.utf8).write(to: URL(fileURLWithPath: path))
        let bad = try await Self.get(exporter.port, "/-/reload", method: "POST")
        #expect(bad.status == 500 && bad.body.contains("fancy"), "\(bad.body)")
        #expect(exporter.configuration.modules.keys.sorted() == ["one"])
        try Data(#"{"modules": {"two": {"profile": "echo"}}}"#.utf8).write(to: URL(fileURLWithPath: path))
        let good = try await Self.get(exporter.port, "/-/reload", method: "POST")
        #expect(good.status == 200)
        #expect(exporter.configuration.modules.keys.sorted() == ["two"])
        let own = try await Self.get(exporter.port, "/metrics")
        #expect(Self.value(own.body, "ws1011_exporter_config_last_reload_successful") == 1)
        await exporter.shutdown()
    }
}
