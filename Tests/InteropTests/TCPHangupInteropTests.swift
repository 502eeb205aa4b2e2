import Foundation
import Testing
import WebSocketDiagnosis
import WebSocketProbe
import WebSocketTestFramework

/// A plain TCP server that accepts, reads the upgrade and hangs up without a word — through the
/// library and through the CLI binary.
@Suite("Interop: TCP server that hangs up")
struct TCPHangupInteropTests {
    @Test(
        "a TCP server that hangs up before any response head: the upgrade fails with the end recorded, not healthy",
        .enabled(if: InteropPeer.shouldRun(.pythonWebsockets), InteropPeer.reason(.pythonWebsockets)), .realIO)
    func hangupBeforeResponse() async throws {
        try await InteropPeers.hangupServer().run { server in
            let report = try await Probe.diagnose("ws://127.0.0.1:\(server.port)/")
            let t = report.transcript
            #expect(t.connectedAddress != nil, "TCP connected")
            #expect(t.request != nil, "the upgrade request was written")
            #expect(t.handshake?.status == nil, "no status line came back: \(Probe.describe(report))")
            #expect(t.failure?.stage == .upgrade, Probe.describe(report))
            #expect(report.steps.first { $0.name == .connect }?.status == .passed)
            #expect(report.steps.first { $0.name == .upgrade }?.status == .failed)
            #expect(report.verdict.layer != .healthy && report.verdict.layer != .tls, Probe.describe(report))
            // One run cannot tell a crashed app from a wrong port: the verdict must say the server hung up, not guess.
            #expect(
                report.verdict.evidence.contains { $0.observation.contains("eof") || $0.observation.lowercased().contains("closed") },
                Probe.describe(report))
        }
    }

    @Test(
        "the ws1011 CLI against a hang-up server exits 1 and writes a ws1011.report/1 JSON with the verdict",
        .enabled(if: InteropPeer.shouldRun(.pythonWebsockets), InteropPeer.reason(.pythonWebsockets)))
    func cliAgainstHangup() async throws {
        let binary = InteropPeer.packageRoot.appendingPathComponent(".build/debug/ws1011").path
        guard FileManager.default.isExecutableFile(atPath: binary) else {
            Issue.record("the CLI is not built at \(binary): run `swift build --product ws1011` first")
            return
        }
        try await InteropPeers.hangupServer().run { server in
            let json = server.directory.appendingPathComponent("report.json")
            let cli = try await PeerProcess.runToEnd(
                executable: binary,
                arguments: [
                    "diagnose", "ws://127.0.0.1:\(server.port)/", "--connect-timeout", "5s", "--message-timeout", "5s", "--json", json.path,
                ],
                within: .seconds(30))
            #expect(cli.status == 1, "exit \(cli.status); output:\n\(cli.output)")
            let data = try Data(contentsOf: json)
            let object = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
            #expect(object["schema"] as? String == "ws1011.report/1")
            let verdict = try #require(object["verdict"] as? [String: Any])
            let layer = verdict["layer"] as? String
            #expect(layer != nil && layer != "healthy" && layer != "tls", "\(verdict)")
            let report = try JSONReportRenderer.makeDecoder().decode(DiagnosisReport.self, from: data)
            #expect(report.transcript.handshake?.status == nil)
            #expect(report.steps.first { $0.name == .upgrade }?.status == .failed)
            #expect(cli.output.contains(report.verdict.cause.rawValue), "the text output names the cause")
        }
    }
}
