import Foundation
import Testing
import WebSocketDiagnosis
import WebSocketLab
import WebSocketProbe
import WebSocketTestFramework

#if canImport(FoundationNetworking)
    import FoundationNetworking
#endif

/// A real Prometheus scrapes `ws1011 exporter`, which probes the lab (healthy) and a refused port, and the
/// verdicts are read back through Prometheus's own HTTP API; promtool accepts both kinds of answer.
@Suite("Interop: Prometheus scraping ws1011 exporter", .serialized)
struct ExporterPrometheusInteropTests {
    /// One instant query; the samples as (labels, value).
    static func query(_ port: Int, _ promql: String) async throws -> [([String: String], Double)] {
        let escaped = promql.addingPercentEncoding(withAllowedCharacters: .alphanumerics)!
        let (data, _) = try await URLSession.shared.data(from: URL(string: "http://127.0.0.1:\(port)/api/v1/query?query=\(escaped)")!)
        guard let object = try JSONSerialization.jsonObject(with: data) as? [String: Any],
            let result = (object["data"] as? [String: Any])?["result"] as? [[String: Any]]
        else { return [] }
        return result.compactMap { sample in
            guard let metric = sample["metric"] as? [String: String], let value = sample["value"] as? [Any],
                let text = value.last as? String, let number = Double(text)
            else { return nil }
            return (metric, number)
        }
    }

    @Test(
        "Prometheus reads probe_success and the verdict series of a healthy target, a refused port and a front answering 502",
        .enabled(if: InteropPeer.shouldRun(.prometheus), InteropPeer.reason(.prometheus)), .timeLimit(.minutes(2)))
    func prometheusScrapesTheVerdict() async throws {
        let prometheus = try InteropPeer.prometheus.require()
        let lab = try await LabServer.start(LabConfiguration())
        let token = try await lab.mintToken(email: TestUser.enterprise.email)
        let dir = try PeerProcess.makeDirectory("ws1011-exporter-tokens")
        let tokenFile = dir.appendingPathComponent("token").path
        try Data(token.utf8).write(to: URL(fileURLWithPath: tokenFile))
        var module = ExporterModule(profile: "reference")
        module.tokenFile = tokenFile
        var configuration = ExporterConfiguration.builtIn
        configuration.modules["lab"] = module
        let exporter = try await ExporterServer.start(ExporterServer.Options(), configuration: configuration)
        let refused = "ws://127.0.0.1:1/ws"
        // The lab behind the fault proxy answering every upgrade 502: a front's failure, not the network's.
        let front = try await FaultProxy.start(
            ProxyConfiguration(
                upstreams: [ProxyUpstream(host: "127.0.0.1", port: lab.port)], faults: [FaultSpec(parsing: "reject-upgrade:status=502")]))
        let faulted = front.url(path: "/ws")
        do {
            try await PeerProcess.startListening(name: "prometheus", executable: prometheus) { directory, port in
                let config = """
                    global: {scrape_interval: 4s, scrape_timeout: 4s}
                    scrape_configs:
                      - job_name: ws1011
                        metrics_path: /probe
                        params: {module: [lab]}
                        static_configs:
                          - targets: ["\(lab.websocketURL)", "\(refused)", "\(faulted)"]
                        relabel_configs:
                          - source_labels: [__address__]
                            target_label: __param_target
                          - source_labels: [__param_target]
                            target_label: instance
                          - target_label: __address__
                            replacement: 127.0.0.1:\(exporter.port)
                    """
                try config.write(to: directory.appendingPathComponent("prometheus.yml"), atomically: true, encoding: .utf8)
                return [
                    "--config.file=\(directory.appendingPathComponent("prometheus.yml").path)",
                    "--storage.tsdb.path=\(directory.appendingPathComponent("data").path)",
                    "--web.listen-address=127.0.0.1:\(port)", "--log.level=warn",
                ]
            }.run { peer in
                let port = peer.port
                // Scraped every 4 s with a 4 s scrape timeout, which the exporter's probes respect (less a margin): a
                // 1 s timeout cut the reference profile's agent run short on a busy runner and read as a failed probe.
                // Wait (bounded) until every target has a sample.
                var success: [([String: String], Double)] = []
                let deadline = ContinuousClock.now + .seconds(45)
                while ContinuousClock.now < deadline {
                    success = (try? await Self.query(port, "probe_success")) ?? []
                    if success.count >= 3 { break }
                    try await Task.sleep(for: .milliseconds(500))
                }
                let byInstance = Dictionary(success.map { ($0.0["instance"] ?? "", $0.1) }, uniquingKeysWith: { a, _ in a })
                #expect(byInstance[lab.websocketURL] == 1, "probe_success as Prometheus stored it: \(success)")
                #expect(byInstance[refused] == 0, "probe_success as Prometheus stored it: \(success)")
                let verdicts = try await Self.query(port, "probe_ws1011_verdict")
                #expect(
                    verdicts.contains {
                        $0.0["instance"] == refused && $0.0["cause"] == "network.connection-refused" && $0.0["layer"] == "network"
                    },
                    "\(verdicts)")
                #expect(verdicts.contains { $0.0["instance"] == lab.websocketURL && $0.0["cause"] == "healthy" }, "\(verdicts)")
                #expect(byInstance[faulted] == 0, "probe_success as Prometheus stored it: \(success)")
                #expect(
                    verdicts.contains {
                        $0.0["instance"] == faulted && $0.0["layer"] == "infrastructure"
                            && $0.0["cause"] == "infrastructure.upgrade-rejected"
                    },
                    "\(verdicts)")
                // The scrape itself succeeded for both (up == 1): failures are data, not scrape errors.
                let up = try await Self.query(port, "up")
                #expect(up.count == 3 && up.allSatisfy { $0.1 == 1 }, "\(up)")
                let series = try await Self.query(port, #"{__name__=~"probe_.*"}"#)
                for (labels, _) in series {
                    #expect(!labels.values.contains { $0.contains(token) }, "a label carries the token: \(labels)")
                }
            }
        } catch {
            await exporter.shutdown(); await front.shutdown(); await lab.shutdown(); try? FileManager.default.removeItem(at: dir)
            throw error
        }
        await exporter.shutdown()
        await front.shutdown()
        await lab.shutdown()
        try? FileManager.default.removeItem(at: dir)
    }

    @Test(
        "promtool accepts the scrape_config and the alert rules the README shows under Running at scale",
        .enabled(if: InteropPeer.shouldRun(.promtool), InteropPeer.reason(.promtool)), .timeLimit(.minutes(1)))
    func promtoolAcceptsTheREADMEsScrapeConfigAndRules() async throws {
        let promtool = try InteropPeer.promtool.require()
        let readme = try String(contentsOf: InteropPeer.packageRoot.appendingPathComponent("README.md"), encoding: .utf8)
        let start = try #require(readme.range(of: "### Running at scale"), "the README has no 'Running at scale' section")
        let section = readme[start.upperBound...]
        let end = section.range(of: "\n## ")?.lowerBound ?? section.endIndex
        let blocks = section[..<end].components(separatedBy: "```yaml\n").dropFirst().map { $0.components(separatedBy: "```")[0] }
        try #require(blocks.count == 2, "expected the scrape_config and the rules: \(blocks.count) yaml blocks")
        #expect(blocks[0].contains("relabel_configs") && blocks[0].contains("__param_target"), "the scrape_config shows the relabelling")
        let dir = try PeerProcess.makeDirectory("ws1011-readme-prometheus")
        defer { try? FileManager.default.removeItem(at: dir) }
        try (blocks[0] + "rule_files: [rules.yml]\n").write(
            to: dir.appendingPathComponent("prometheus.yml"), atomically: true, encoding: .utf8)
        try blocks[1].write(to: dir.appendingPathComponent("rules.yml"), atomically: true, encoding: .utf8)
        let result = try await PeerProcess.runToEnd(
            executable: promtool, arguments: ["check", "config", dir.appendingPathComponent("prometheus.yml").path], within: .seconds(30))
        #expect(result.status == 0, "promtool refused the README's config: \(result.output)")
        #expect(result.output.contains("rules found"), "\(result.output)")
    }

    @Test(
        "promtool accepts the exporter's probe answers and its own /metrics",
        .enabled(if: InteropPeer.shouldRun(.promtool), InteropPeer.reason(.promtool)), .timeLimit(.minutes(2)))
    func promtoolAcceptsTheExporter() async throws {
        let promtool = try InteropPeer.promtool.require()
        let lab = try await LabServer.start(LabConfiguration())
        let exporter = try await ExporterServer.start(ExporterServer.Options(), configuration: .builtIn)
        let dir = try PeerProcess.makeDirectory("ws1011-exporter-promtool")
        for (name, path) in [
            ("probe-lab", "/probe?target=\(lab.websocketURL.addingPercentEncoding(withAllowedCharacters: .alphanumerics)!)&module=plain"),
            ("probe-refused", "/probe?target=ws%3A%2F%2F127.0.0.1%3A1%2F&module=plain"), ("own", "/metrics"),
        ] {
            let (data, _) = try await URLSession.shared.data(from: URL(string: "http://127.0.0.1:\(exporter.port)\(path)")!)
            let file = dir.appendingPathComponent(name)
            try data.write(to: file)
            let result = try await PeerProcess.runToEnd(
                executable: "/bin/sh", arguments: ["-c", "\(promtool) check metrics < '\(file.path)'"], within: .seconds(30))
            #expect(result.status == 0, "promtool refused \(name): \(result.output)\n\(String(decoding: data, as: UTF8.self))")
        }
        try? FileManager.default.removeItem(at: dir)
        await exporter.shutdown()
        await lab.shutdown()
    }
}
