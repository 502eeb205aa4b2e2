import Foundation
import Testing
import WebSocketDiagnosis
import WebSocketProbe
import WebSocketTestFramework

/// The client and the classifier against Jakarta WebSocket (JSR-356) endpoints in an embedded Tomcat 10
/// (Debian's jars, a servlet container no one here wrote): `Fixtures/interop/tomcat/InteropServer.java`.
/// Serialized: each test starts its own JVM, and two starting at once take both cores from the timing tests
/// that run beside them.
@Suite("Interop: Tomcat 10 (Jakarta WebSocket)", .serialized)
struct TomcatInteropTests {
    static let enabled = InteropPeer.shouldRun(.tomcat)
    static let reason = InteropPeer.reason(.tomcat)

    @Test("an annotated echo endpoint under Tomcat is healthy", .enabled(if: enabled, reason), .realIO)
    func healthyEcho() async throws {
        try await InteropPeers.tomcat().run { server in
            let report = try await Probe.diagnose("ws://127.0.0.1:\(server.port)/echo") { $0.profile = .echo }
            #expect(report.verdict.cause == "healthy", Probe.describe(report))
        }
    }

    @Test(
        "an @OnMessage that throws with no @OnError makes Tomcat close 1002 although our frames were well formed: application internal-error-close, not our protocol error",
        .enabled(if: enabled, reason), .realIO)
    func endpointThrows() async throws {
        try await InteropPeers.tomcat().run { server in
            let report = try await Probe.diagnose("ws://127.0.0.1:\(server.port)/throw") { $0.profile = .echo }
            let close = report.transcript.close
            #expect(close.received?.code == 1002, "Tomcat's close for an unhandled endpoint exception: \(Probe.describe(close))")
            #expect(report.verdict.cause == "application.internal-error-close", Probe.describe(report))
            #expect(report.verdict.layer == .application)
        }
    }

    @Test(
        "setMaxIdleTimeout(2000) closes a silent session 1001 'idle timeout expired' while pings keep one alive: application idle-timeout",
        .enabled(if: enabled, reason), .realIO)
    func sessionIdleTimeout() async throws {
        try await InteropPeers.tomcat(idleTimeout: .seconds(2)).run { server in
            let report = try await Probe.diagnose("ws://127.0.0.1:\(server.port)/idle") {
                $0.idleProbe = .seconds(5)
                $0.lifetimeProbe = .seconds(5)
                $0.trafficInterval = .milliseconds(500)
            }
            let m = try #require(report.measurements)
            let silent = try #require(m.idleTranscript?.close.received, Probe.describe(report))
            #expect(silent.code == 1001, Probe.describe(report))
            #expect(silent.reason.contains("idle timeout expired"), Probe.describe(report))
            let idle = try #require(m.idleTimeoutMs, Probe.describe(report))
            // Tomcat checks expiry once a second here (setProcessPeriod(1)): 2–3 s after the last frame.
            #expect(idle > 1700 && idle < 4500, "closed \(idle) ms after open; the idle timeout is 2 s")
            #expect(m.lifetimeMs == nil, "pings keep a Tomcat session alive: \(Probe.describe(report))")
            #expect(report.verdict.cause == "application.idle-timeout", Probe.describe(report))
            #expect(report.verdict.layer == .application)
        }
    }

    @Test(
        "a checkOrigin that allows only the host's own origin refuses a CLI (403, Tomcat's error page); the retry with that origin passes: application origin-rejected",
        .enabled(if: enabled, reason), .realIO)
    func checkOriginRefusesNoOrigin() async throws {
        try await InteropPeers.tomcat().run { server in
            let report = try await Probe.diagnose("ws://127.0.0.1:\(server.port)/origin")
            #expect(report.transcript.handshake?.status == 403, Probe.describe(report))
            #expect(report.verdict.cause == "application.origin-rejected", Probe.describe(report))
            #expect(report.verdict.layer == .application)
            #expect(
                report.verdict.evidence.contains {
                    $0.observation.contains("Origin: http://127.0.0.1:\(server.port)") && $0.observation.contains("accepted")
                },
                Probe.describe(report))
        }
    }
}
