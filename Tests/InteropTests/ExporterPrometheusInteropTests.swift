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
        "Prometheus reads probe_success and the verdict series of a healthy and a refused target",
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
        do {
            try await PeerProcess.startListening(name: "prometheus", executable: prometheus) { directory, port in
                let config = """
                    global: {scrape_interval: 1s, scrape_timeout: 1s}
                    scrape_configs:
                      - job_name: ws1011
                        metrics_path: /probe
                        params: {module: [lab]}
                        static_configs:
                          - targets: ["\(lab.websocketURL)", "\(refused)"]
                        relabel_configs:
                          - source_labels: [__address__]
                            target_label: __param_target
                          - source_labels: [__param_target]
                            target_label: instance
                          - target_label: __address__
                            replacement: 127.0.0.1:\(exporter.port)
                    """
                try config.write(to: directory.appendingPathComponent("prometheus.yml"), atomically: true, encoding: .utf8)
                return ["--config.file=\(directory.appendingPathComponent("prometheus.yml").path)",
                        "--storage.tsdb.path=\(directory.appendingPathComponent("data").path)",
                        "--web.listen-address=127.0.0.1:\(port)", "--log.level=warn"]
            }.run { peer in
                let port = peer.port
                // Scraped every second: wait (bounded) until both targets have a sample.
                var success: [([String: String], Double)] = []
                let deadline = ContinuousClock.now + .seconds(45)
                while ContinuousClock.now < deadline {
                    success = (try? await Self.query(port, "probe_success")) ?? []
                    if success.count >= 2 { break }
                    try await Task.sleep(for: .milliseconds(500))
                }
                let byInstance = Dictionary(success.map { ($0.0["instance"] ?? "", $0.1) }, uniquingKeysWith: { a, _ in a })
                #expect(byInstance[lab.websocketURL] == 1, "probe_success as Prometheus stored it: \(success)")
                #expect(byInstance[refused] == 0, "probe_success as Prometheus stored it: \(success)")
                let verdicts = try await Self.query(port, "probe_ws1011_verdict")
                #expect(verdicts.contains { $0.0["instance"] == refused && $0.0["cause"] == "network.connection-refused" && $0.0["layer"] == "network" },
                        "\(verdicts)")
                #expect(verdicts.contains { $0.0["instance"] == lab.websocketURL && $0.0["cause"] == "healthy" }, "\(verdicts)")
                // The scrape itself succeeded for both (up == 1): failures are data, not scrape errors.
                let up = try await Self.query(port, "up")
                #expect(up.count == 2 && up.allSatisfy { $0.1 == 1 }, "\(up)")
                let series = try await Self.query(port, #"{__name__=~"probe_.*"}"#)
                for (labels, _) in series {
                    #expect(!labels.values.contains { $0.contains(token) }, "a label carries the token: \(labels)")
                }
            }
        } catch {
            await exporter.shutdown(); await lab.shutdown(); try? FileManager.default.removeItem(at: dir)
            throw error
        }
        await exporter.shutdown()
        await lab.shutdown()
        try? FileManager.default.removeItem(at: dir)
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
            let result = try await PeerProcess.runToEnd(executable: "/bin/sh", arguments: ["-c", "\(promtool) check metrics < '\(file.path)'"], within: .seconds(30))
            #expect(result.status == 0, "promtool refused \(name): \(result.output)\n\(String(decoding: data, as: UTF8.self))")
        }
        try? FileManager.default.removeItem(at: dir)
        await exporter.shutdown()
        await lab.shutdown()
    }
}
