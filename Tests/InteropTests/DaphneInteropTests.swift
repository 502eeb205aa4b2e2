import Foundation
import Testing
import WebSocketDiagnosis
import WebSocketProbe
import WebSocketTestFramework

/// The client and the classifier against Django Channels served by Daphne (PyPI, a stack no one here
/// wrote): `Fixtures/interop/channels_app.py`, configured through Daphne's own command-line options.
/// Serialized: each test starts its own Daphne (Django and Twisted imported anew), which would otherwise
/// crowd the timing tests that run beside them.
@Suite("Interop: Django Channels + Daphne", .serialized)
struct DaphneInteropTests {
    static let enabled = InteropPeer.shouldRun(.daphne)
    static let reason = InteropPeer.reason(.daphne)

    @Test("an echo consumer under Daphne is healthy", .enabled(if: enabled, reason), .realIO)
    func healthyEcho() async throws {
        try await InteropPeers.daphne().run { server in
            let report = try await Probe.diagnose("ws://127.0.0.1:\(server.port)/echo/") { $0.profile = .echo }
            #expect(report.verdict.cause == "healthy", Probe.describe(report))
        }
    }

    @Test(
        "a consumer that raises after accept makes Daphne close 1011: application internal-error-close", .enabled(if: enabled, reason),
        .realIO)
    func consumerRaises() async throws {
        try await InteropPeers.daphne().run { server in
            let report = try await Probe.diagnose("ws://127.0.0.1:\(server.port)/raise/") { $0.profile = .echo }
            #expect(report.transcript.close.received?.code == 1011, Probe.describe(report.transcript.close))
            #expect(report.verdict.cause == "application.internal-error-close", Probe.describe(report))
            #expect(report.verdict.layer == .application)
        }
    }

    @Test(
        "a consumer that raises in connect(), before accepting, makes Daphne answer HTTP 500: application handshake-error",
        .enabled(if: enabled, reason), .realIO)
    func consumerRaisesBeforeAccept() async throws {
        try await InteropPeers.daphne().run { server in
            let report = try await Probe.diagnose("ws://127.0.0.1:\(server.port)/raise-connect/")
            #expect(report.transcript.handshake?.status == 500, Probe.describe(report))
            #expect(report.verdict.cause == "application.handshake-error", Probe.describe(report))
            #expect(report.verdict.layer == .application)
        }
    }

    @Test(
        "withheld pongs end the connection at Daphne's ping timeout (--ping-interval 1 --ping-timeout 2, a bare end): application keepalive-timeout",
        .enabled(if: enabled, reason), .realIO)
    func keepaliveTimeout() async throws {
        // Daphne pings on its 2-s timeout check, 1–3 s after the open; autobahn floors the 2-s timeout to a
        // whole second, so the drop comes 1–2 s after the ping (a 1-s timeout could drop it at once).
        try await InteropPeers.daphne(["--ping-interval", "1", "--ping-timeout", "2"]).run { server in
            let report = try await Probe.diagnose("ws://127.0.0.1:\(server.port)/echo/") {
                $0.withholdPongs = true
                $0.idleProbe = .seconds(8)
            }
            let probe = try #require(report.measurements?.idleTranscript, Probe.describe(report))
            #expect(probe.frames.contains { $0.direction == .inbound && $0.opcode == "ping" }, "Daphne pinged")
            let lived = try #require(report.measurements?.idleTimeoutMs, Probe.describe(report))
            #expect(lived > 1800 && lived < 6000, "ended \(lived) ms after open; a ping 1–3 s after the open, then 1–2 s")
            #expect(report.verdict.cause == "application.keepalive-timeout", Probe.describe(report))
            #expect(report.verdict.layer == .application)
        }
    }

    @Test(
        "Daphne's --websocket_timeout 2 closes 1000 after 2 s whatever the traffic: application connection-cap, not healthy",
        .enabled(if: enabled, reason), .realIO)
    func websocketTimeoutIsACap() async throws {
        try await InteropPeers.daphne(["--websocket_timeout", "2"]).run { server in
            let report = try await Probe.diagnose("ws://127.0.0.1:\(server.port)/echo/") {
                $0.idleProbe = .seconds(6)
                $0.lifetimeProbe = .seconds(6)
                $0.trafficInterval = .milliseconds(500)
            }
            let m = try #require(report.measurements)
            #expect(m.lifetimeTranscript?.close.received?.code == 1000, Probe.describe(report))
            let life = try #require(m.lifetimeMs, Probe.describe(report))
            // Daphne checks its timeouts about once a second: the close comes 2–4 s after the open.
            #expect(life > 1700 && life < 5000, "closed \(life) ms after open; the cap is 2 s")
            #expect(report.verdict.cause == "application.connection-cap", Probe.describe(report))
            #expect(report.verdict.layer == .application)
        }
    }

    @Test(
        "AllowedHostsOriginValidator refuses an upgrade without Origin (403, empty body); the retry with the target's own origin passes: application origin-rejected",
        .enabled(if: enabled, reason), .realIO)
    func originValidatorRefusesNoOrigin() async throws {
        try await InteropPeers.daphne().run { server in
            let report = try await Probe.diagnose("ws://127.0.0.1:\(server.port)/guarded/")
            #expect(report.transcript.handshake?.status == 403, Probe.describe(report))
            #expect(report.transcript.request?.headers.first(named: "Origin") == nil, "a CLI sends no Origin")
            #expect(report.verdict.cause == "application.origin-rejected", Probe.describe(report))
            #expect(report.verdict.layer == .application)
            #expect(
                report.verdict.evidence.contains {
                    $0.observation.contains("Origin: http://127.0.0.1:\(server.port)") && $0.observation.contains("accepted")
                },
                Probe.describe(report))
        }
    }

    @Test(
        "the same upgrade with --origin set to an allowed host passes AllowedHostsOriginValidator: healthy (the near miss of the refusal)",
        .enabled(if: enabled, reason), .realIO)
    func allowedOriginPasses() async throws {
        try await InteropPeers.daphne().run { server in
            let report = try await Probe.diagnose("ws://127.0.0.1:\(server.port)/guarded/") {
                $0.origin = "http://localhost:\(server.port)"
                $0.profile = .echo
            }
            #expect(report.verdict.cause == "healthy", Probe.describe(report))
        }
    }
}
