import Foundation
import Testing
import WebSocketDiagnosis
import WebSocketProbe
import WebSocketTestFramework

/// The classifier against python-engineio's server (PyPI, a stack no one here wrote) under uvicorn:
/// `Fixtures/interop/engineio_app.py`. The probe does not speak Engine.IO, so it never answers the ping
/// packet `2`: the server's application keepalive closes the connection, which the classifier must name as
/// that keepalive — with the interval and timeout the open packet announced — and not as a plain close.
@Suite("Interop: python-engineio (Engine.IO v4 application keepalive)", .serialized)
struct EngineIOInteropTests {
    static let enabled = InteropPeer.shouldRun(.engineIO)
    static let reason = InteropPeer.reason(.engineIO)

    @Test(
        "an Engine.IO ping '2' left without a pong '3' is closed at the announced pingTimeout (1 s): application keepalive-timeout",
        .enabled(if: enabled, reason), .realIO)
    func unansweredApplicationPing() async throws {
        try await InteropPeers.engineIO(pingInterval: .seconds(1), pingTimeout: .seconds(1)).run { server in
            let report = try await Probe.diagnose("ws://127.0.0.1:\(server.port)/engine.io/?EIO=4&transport=websocket") {
                $0.sustain = .seconds(6)
            }
            let t = report.transcript
            #expect(
                t.applicationKeepalive
                    == ApplicationKeepaliveAnnouncement(
                        protocolName: "engine.io", pingIntervalMs: 1000, pingTimeoutMs: 1000, atMs: t.applicationKeepalive?.atMs ?? -1),
                "the open packet's interval and timeout are recorded: \(String(describing: t.applicationKeepalive))")
            let ping = try #require(t.frames.first { $0.direction == .inbound && $0.preview == "2" }, Probe.describe(report))
            let closed = try #require(t.close.received, Probe.describe(t.close))
            #expect(closed.atMs - ping.atMs > 300 && closed.atMs - ping.atMs < 4000, "closed \(closed.atMs - ping.atMs) ms after the ping")
            #expect(report.verdict.cause == "application.keepalive-timeout", Probe.describe(report))
            #expect(report.verdict.evidence.contains { $0.rule == "application-keepalive" && $0.observation.contains("Engine.IO") })
            #expect(server.stderrText.contains("Sending packet PING"), "python-engineio logs its ping: \(server.stderrText.suffix(600))")
        }
    }

    @Test(
        "a silent timeout probe ended by Engine.IO's ping timeout is that keepalive, not an idle timeout",
        .enabled(if: enabled, reason), .realIO)
    func probeEndedByApplicationKeepalive() async throws {
        try await InteropPeers.engineIO(pingInterval: .seconds(1), pingTimeout: .seconds(1)).run { server in
            let report = try await Probe.diagnose("ws://127.0.0.1:\(server.port)/engine.io/?EIO=4&transport=websocket") {
                $0.idleProbe = .seconds(5)
            }
            #expect(report.measurements?.idleTranscript?.close.received != nil, Probe.describe(report))
            #expect(report.verdict.cause == "application.keepalive-timeout", Probe.describe(report))
            #expect(report.verdict.summary.contains("not an idle timeout"), Probe.describe(report))
        }
    }
}
