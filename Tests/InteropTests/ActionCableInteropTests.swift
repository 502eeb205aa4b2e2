import Foundation
import Testing
import WebSocketDiagnosis
import WebSocketProbe
import WebSocketTestFramework

/// The client and the classifier against Rails' Action Cable 6.1 under Puma (Debian's packages, a stack no
/// one here wrote): `Fixtures/interop/actioncable/server.rb`, one cable server per route. The probe offers the
/// subprotocols Action Cable's JavaScript client offers (`actioncable-v1-json`, `actioncable-unsupported`).
/// Serialized: each test starts its own Ruby (Rails' libraries load in a few seconds).
@Suite("Interop: Ruby Action Cable + Puma", .serialized)
struct ActionCableInteropTests {
    static let enabled = InteropPeer.shouldRun(.actionCable)
    static let reason = InteropPeer.reason(.actionCable)
    static let protocols = ["actioncable-v1-json", "actioncable-unsupported"]

    @Test(
        "a cable held 7 s gets its welcome and a ping every 3 s: healthy, with the heartbeat in the evidence",
        .enabled(if: enabled, reason),
        .realIO)
    func healthyWithHeartbeat() async throws {
        try await InteropPeers.actionCable().run { server in
            let report = try await Probe.diagnose("ws://127.0.0.1:\(server.port)/cable") {
                $0.subprotocols = Self.protocols
                $0.sustain = .seconds(7)
            }
            let t = report.transcript
            #expect(t.handshake?.subprotocol == "actioncable-v1-json", Probe.describe(report))
            let texts = t.frames.filter { $0.direction == .inbound && $0.opcode == "text" }.compactMap(\.preview)
            #expect(texts.first == #"{"type":"welcome"}"#, "\(texts)")
            let pings = texts.filter { $0.hasPrefix(#"{"type":"ping","message":"#) }
            #expect(pings.count >= 2, "\(texts)")
            #expect(report.verdict.cause == "healthy", Probe.describe(report))
            #expect(
                report.verdict.evidence.contains { $0.observation.contains("Action Cable pings") && $0.observation.contains("welcome at") })
        }
    }

    @Test(
        "connect calling reject_unauthorized_connection sends a disconnect 'unauthorized' message, then 1000: application auth-rejected",
        .enabled(if: enabled, reason), .realIO)
    func unauthorizedDisconnect() async throws {
        try await InteropPeers.actionCable().run { server in
            let report = try await Probe.diagnose("ws://127.0.0.1:\(server.port)/unauthorized") {
                $0.subprotocols = Self.protocols
                $0.sustain = .seconds(3)
            }
            let t = report.transcript
            #expect(
                t.frames.contains { $0.direction == .inbound && $0.preview?.contains(#""reason":"unauthorized""#) == true },
                Probe.describe(report))
            #expect(t.close.received?.code == 1000, Probe.describe(t.close))
            #expect(report.verdict.cause == "application.auth-rejected", Probe.describe(report))
            #expect(report.verdict.evidence.contains { $0.rule == "disconnect-message" }, Probe.describe(report))
        }
    }

    @Test(
        "ActionCable.server.restart sends every connection a disconnect 'server_restart' message, then closes: application restart",
        .enabled(if: enabled, reason), .realIO)
    func serverRestart() async throws {
        try await InteropPeers.actionCable(restartAfter: .milliseconds(1500)).run { server in
            let report = try await Probe.diagnose("ws://127.0.0.1:\(server.port)/restart") {
                $0.subprotocols = Self.protocols
                $0.sustain = .seconds(6)
            }
            let t = report.transcript
            let disconnect = t.frames.first { $0.direction == .inbound && $0.preview?.contains(#""reason":"server_restart""#) == true }
            #expect(disconnect != nil, Probe.describe(report))
            let open = try #require(t.timings.openAtMs)
            let closed = try #require(t.close.received, Probe.describe(t.close))
            #expect(closed.atMs - open > 1000 && closed.atMs - open < 5000, "the restart comes 1.5 s after the first connection")
            #expect(report.verdict.cause == "application.restart", Probe.describe(report))
            #expect(report.verdict.layer == .application)
        }
    }

    @Test(
        "the default Origin check answers an upgrade without Origin with 404 'Page not found'; the retry with the target's own origin passes: application origin-rejected",
        .enabled(if: enabled, reason), .realIO)
    func originCheckAnswers404() async throws {
        try await InteropPeers.actionCable().run { server in
            let report = try await Probe.diagnose("ws://127.0.0.1:\(server.port)/guarded") { $0.subprotocols = Self.protocols }
            #expect(report.transcript.handshake?.status == 404, Probe.describe(report))
            #expect(report.transcript.handshake?.bodyPreview?.contains("Page not found") == true, Probe.describe(report))
            #expect(
                report.verdict.evidence.contains {
                    $0.observation.contains("Origin: http://127.0.0.1:\(server.port)") && $0.observation.contains("accepted")
                },
                Probe.describe(report))
            #expect(report.verdict.cause == "application.origin-rejected", Probe.describe(report))
            #expect(report.verdict.summary.contains("allowed_request_origins"), Probe.describe(report))
            #expect(
                server.stderrText.contains("Request origin not allowed"), "Action Cable logs the refusal: \(server.stderrText.suffix(800))")
        }
    }

    @Test(
        "a connect that raises leaves an open socket with no welcome and no ping: application missing-events naming the connect",
        .enabled(if: enabled, reason), .realIO)
    func connectRaises() async throws {
        try await InteropPeers.actionCable().run { server in
            let report = try await Probe.diagnose("ws://127.0.0.1:\(server.port)/raise") {
                $0.subprotocols = Self.protocols
                $0.sustain = .seconds(8)
            }
            let t = report.transcript
            #expect(t.handshake?.status == 101, Probe.describe(report))
            #expect(!t.frames.contains { $0.direction == .inbound && $0.opcode == "text" }, "no welcome, no ping")
            #expect(report.verdict.cause == "application.missing-events", Probe.describe(report))
            #expect(report.verdict.summary.contains("never sent its welcome"), Probe.describe(report))
            #expect(server.stderrText.contains("connect failed"), "the worker logs the exception: \(server.stderrText.suffix(800))")
        }
    }
}
