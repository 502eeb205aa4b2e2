import Foundation
import Testing
import WebSocketDiagnosis
import WebSocketLab
import WebSocketProbe
import WebSocketTestFramework

/// The client and the classifier against a Go server built on gorilla/websocket (Debian's package, a stack
/// no one here wrote): `Fixtures/interop/gorilla/main.go`, each route written as gorilla's examples write it.
@Suite("Interop: Go gorilla/websocket", .serialized)
struct GorillaInteropTests {
    static let enabled = InteropPeer.shouldRun(.gorilla)
    static let reason = InteropPeer.reason(.gorilla)

    @Test(
        "an echo route with gorilla's defaults is healthy (no Origin sent: the default CheckOrigin lets it pass)",
        .enabled(if: enabled, reason), .realIO)
    func healthyEcho() async throws {
        try await InteropPeers.gorilla().run { server in
            let report = try await Probe.diagnose("ws://127.0.0.1:\(server.port)/echo") { $0.profile = .echo }
            #expect(report.verdict.cause == "healthy", Probe.describe(report))
            #expect(report.transcript.handshake?.acceptValid == true)
            #expect(report.transcript.pings.contains { $0.pongAtMs != nil }, "gorilla's default ping handler answers")
        }
    }

    @Test(
        "a handler that panics after the first message drops the socket (defer conn.Close): application connection-dropped",
        .enabled(if: enabled, reason), .realIO)
    func panicDropsTheSocket() async throws {
        try await InteropPeers.gorilla().run { server in
            let report = try await Probe.diagnose("ws://127.0.0.1:\(server.port)/panic") { $0.profile = .echo }
            let t = report.transcript
            #expect(t.handshake?.status == 101, Probe.describe(report))
            #expect(t.close.received == nil, "gorilla sends no close frame when the handler unwinds: \(Probe.describe(t.close))")
            #expect(t.close.transportEnd == .eof || t.close.transportEnd == .reset, Probe.describe(t.close))
            #expect(report.verdict.cause == "application.connection-dropped", Probe.describe(report))
            #expect(report.verdict.layer == .application)
            #expect(server.stderrText.contains("panic"), "net/http logs the panic: \(server.stderrText)")
        }
    }

    @Test(
        "withheld pongs end the chat example's keepalive at its read deadline (ping 500 ms, deadline 1.5 s): application keepalive-timeout",
        .enabled(if: enabled, reason), .realIO)
    func keepaliveReadDeadline() async throws {
        try await InteropPeers.gorilla(["-ping", "500ms", "-pong-wait", "1500ms"]).run { server in
            let report = try await Probe.diagnose("ws://127.0.0.1:\(server.port)/keepalive") {
                $0.withholdPongs = true
                $0.idleProbe = .seconds(5)
            }
            let probe = try #require(report.measurements?.idleTranscript, Probe.describe(report))
            #expect(probe.frames.contains { $0.direction == .inbound && $0.opcode == "ping" }, "gorilla pinged")
            #expect(probe.close.received == nil, "the read deadline ends the handler: no close frame")
            let lived = try #require(report.measurements?.idleTimeoutMs, Probe.describe(report))
            #expect(lived > 1200 && lived < 4000, "ended \(lived) ms after open; the read deadline is 1.5 s")
            #expect(report.verdict.cause == "application.keepalive-timeout", Probe.describe(report))
            #expect(report.verdict.layer == .application)
        }
    }

    @Test(
        "an application cap closes 1000 'session expired' 2 s after the open whatever the traffic: application connection-cap, not healthy",
        .enabled(if: enabled, reason), .realIO)
    func applicationCap() async throws {
        try await InteropPeers.gorilla(["-cap", "2s"]).run { server in
            let report = try await Probe.diagnose("ws://127.0.0.1:\(server.port)/cap") {
                $0.idleProbe = .seconds(4)
                $0.lifetimeProbe = .seconds(4)
                $0.trafficInterval = .milliseconds(500)
            }
            let m = try #require(report.measurements)
            #expect(m.lifetimeTranscript?.close.received?.code == 1000, Probe.describe(report))
            #expect(m.lifetimeTranscript?.close.received?.reason == "session expired", Probe.describe(report))
            let life = try #require(m.lifetimeMs, Probe.describe(report))
            #expect(life > 1700 && life < 3500, "closed \(life) ms after open; the cap is 2 s")
            #expect(report.verdict.cause == "application.connection-cap", Probe.describe(report))
            #expect(report.verdict.layer == .application)
        }
    }

    @Test(
        "--origin from another site is refused by gorilla's default CheckOrigin (403 'Forbidden'); the retry with the target's own origin passes: application origin-rejected",
        .enabled(if: enabled, reason), .realIO)
    func crossOriginRefused() async throws {
        try await InteropPeers.gorilla().run { server in
            let report = try await Probe.diagnose("ws://127.0.0.1:\(server.port)/echo") { $0.origin = "https://evil.example.test" }
            let h = try #require(report.transcript.handshake, Probe.describe(report))
            #expect(h.status == 403, Probe.describe(report))
            #expect(report.transcript.request?.headers.first(named: "Origin") == "https://evil.example.test")
            #expect(report.verdict.cause == "application.origin-rejected", Probe.describe(report))
            #expect(report.verdict.layer == .application)
            #expect(
                report.verdict.summary.contains("https://evil.example.test"),
                "the summary names the origin to allow: \(report.verdict.summary)")
            #expect(
                report.verdict.evidence.contains {
                    $0.observation.contains("Origin: http://127.0.0.1:\(server.port)") && $0.observation.contains("accepted")
                },
                Probe.describe(report))
        }
    }

    // MARK: - Timeout discovery on both paths

    /// Runs `body` with a lab fault proxy carrying `faults` in front of the gorilla server.
    static func behindProxy(_ flags: [String], faults: [String], _ body: (FaultProxy, PeerProcess) async throws -> Void) async throws {
        try await InteropPeers.gorilla(flags).run { server in
            let proxy = try await FaultProxy.start(
                ProxyConfiguration(
                    upstreams: [ProxyUpstream(host: "127.0.0.1", port: server.port)], faults: try faults.map { try FaultSpec(parsing: $0) })
            )
            do {
                try await body(proxy, server)
                await proxy.shutdown()
            } catch {
                await proxy.shutdown()
                throw error
            }
        }
    }

    @Test(
        "a read deadline in the handler cuts the silent probe after 2 s through the front and direct alike: application idle-timeout, not the front's",
        .enabled(if: enabled, reason), .realIO)
    func applicationIdleTimeoutOnBothPaths() async throws {
        try await Self.behindProxy(["-idle", "2s"], faults: []) { proxy, server in
            let report = try await Probe.diagnose(proxy.url(path: "/idle")) {
                $0.direct = try WebSocketURL(parsing: "ws://127.0.0.1:\(server.port)/idle")
                $0.idleProbe = .seconds(4)
                $0.lifetimeProbe = .seconds(4)
                $0.trafficInterval = .milliseconds(500)
            }
            let m = try #require(report.measurements)
            let front = try #require(m.idleTimeoutMs, Probe.describe(report))
            let direct = try #require(m.directIdleTimeoutMs, "the direct silent probe was cut too: \(Probe.describe(report))")
            #expect(
                front > 1700 && front < 3500 && direct > 1700 && direct < 3500,
                "front \(front) ms, direct \(direct) ms; the deadline is 2 s")
            #expect(
                m.idleTranscript?.close.received == nil && m.directIdleTranscript?.close.received == nil,
                "a read deadline sends no close frame")
            #expect(m.lifetimeMs == nil && m.directLifetimeMs == nil, "pings renew the deadline on both paths: \(Probe.describe(report))")
            #expect(report.verdict.cause == "application.idle-timeout", Probe.describe(report))
            #expect(report.verdict.layer == .application)
            #expect(report.verdict.evidence.contains { $0.rule == "direct-vs-front" }, Probe.describe(report))
        }
    }

    @Test(
        "the lab proxy's idle-timeout cuts the silent probe through the front while direct it lives: infrastructure idle-timeout",
        .enabled(if: enabled, reason), .realIO)
    func frontIdleTimeoutOnlyThroughTheFront() async throws {
        try await Self.behindProxy([], faults: ["idle-timeout:after=2s"]) { proxy, server in
            let report = try await Probe.diagnose(proxy.url(path: "/echo")) {
                $0.direct = try WebSocketURL(parsing: "ws://127.0.0.1:\(server.port)/echo")
                $0.idleProbe = .seconds(4)
                $0.lifetimeProbe = .seconds(4)
                $0.trafficInterval = .milliseconds(500)
            }
            let m = try #require(report.measurements)
            let front = try #require(m.idleTimeoutMs, Probe.describe(report))
            #expect(front > 1700 && front < 3500, "front cut after \(front) ms; the proxy's idle timeout is 2 s")
            #expect(
                m.directIdleTranscript != nil && m.directIdleTimeoutMs == nil,
                "direct the silent probe outlived the probe: \(Probe.describe(report))")
            #expect(report.verdict.cause == "infrastructure.idle-timeout", Probe.describe(report))
            #expect(report.verdict.layer == .infrastructure)
            #expect(
                report.verdict.evidence.contains { $0.rule == "direct-vs-front" && $0.observation.contains("lived its full") },
                Probe.describe(report))
        }
    }
}
