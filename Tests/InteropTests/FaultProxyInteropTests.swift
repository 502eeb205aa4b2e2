import Foundation
import Testing
import WebSocketDiagnosis
import WebSocketLab
import WebSocketProbe
import WebSocketTestFramework

/// ws1011's own `FaultProxy` faults in front of a server no one here wrote (Python `websockets`):
/// each must produce the signature of its real-world counterpart, and the right verdict.
@Suite("Interop: FaultProxy in front of Python websockets")
struct FaultProxyInteropTests {
    /// Runs `body` with a fault proxy carrying `fault` in front of a Python websockets echo server.
    static func withProxy(_ fault: String, _ body: (FaultProxy, PeerProcess) async throws -> Void) async throws {
        try await InteropPeers.websocketsServer("echo").run { backend in
            let proxy = try await FaultProxy.start(
                ProxyConfiguration(
                    upstreams: [ProxyUpstream(host: "127.0.0.1", port: backend.port)], faults: [try FaultSpec(parsing: fault)]))
            do {
                try await body(proxy, backend)
                await proxy.shutdown()
            } catch {
                await proxy.shutdown()
                throw error
            }
        }
    }

    @Test(
        "lifetime-cap ends the connection 2 s after open whatever the traffic: infrastructure lifetime-cap",
        .enabled(if: InteropPeer.shouldRun(.pythonWebsockets), InteropPeer.reason(.pythonWebsockets)), .realIO)
    func lifetimeCap() async throws {
        try await Self.withProxy("lifetime-cap:after=2s") { proxy, _ in
            let report = try await Probe.diagnose(proxy.url(path: "/")) {
                $0.idleProbe = .seconds(4)
                $0.lifetimeProbe = .seconds(4)
                $0.trafficInterval = .milliseconds(500)
            }
            let m = try #require(report.measurements)
            let life = try #require(m.lifetimeMs, Probe.describe(report))
            // The cap runs from the proxy's accept, the measured life from the open: a slow opening (a busy
            // machine) shortens the life by the opening's time, never the cap.
            let opening = (m.lifetimeTranscript?.timings.tlsMs ?? 0) + (m.lifetimeTranscript?.timings.upgradeMs ?? 0)
            #expect(life > 1700 - opening && life < 3000, "cut after \(life) ms, opened in \(opening) ms; expected ~2 s from the accept")
            #expect(m.lifetimeTranscript?.close.received == nil, "a lifetime cap sends no close frame")
            #expect(
                m.lifetimeTranscript?.frames.contains { $0.direction == .inbound && $0.opcode == "pong" } == true,
                "websockets answered our pings until the cut")
            #expect(report.verdict.cause == "infrastructure.lifetime-cap", Probe.describe(report))
            #expect(report.verdict.layer == .infrastructure)
        }
    }

    @Test(
        "idle-timeout ends a silent connection after 2 s while pings keep one alive: infrastructure idle-timeout",
        .enabled(if: InteropPeer.shouldRun(.pythonWebsockets), InteropPeer.reason(.pythonWebsockets)), .realIO)
    func idleTimeout() async throws {
        try await Self.withProxy("idle-timeout:after=2s") { proxy, _ in
            let report = try await Probe.diagnose(proxy.url(path: "/")) {
                $0.idleProbe = .seconds(4)
                $0.lifetimeProbe = .seconds(4)
                $0.trafficInterval = .milliseconds(500)
            }
            let m = try #require(report.measurements)
            let idle = try #require(m.idleTimeoutMs, Probe.describe(report))
            #expect(idle > 1700 && idle < 3000, "cut after \(idle) ms; expected ~2 s")
            #expect(m.lifetimeMs == nil, Probe.describe(report))
            #expect(report.verdict.cause == "infrastructure.idle-timeout", Probe.describe(report))
        }
    }

    @Test(
        "strip-upgrade makes websockets refuse plain HTTP; with --direct: infrastructure upgrade-not-forwarded",
        .enabled(if: InteropPeer.shouldRun(.pythonWebsockets), InteropPeer.reason(.pythonWebsockets)), .realIO)
    func stripUpgrade() async throws {
        try await Self.withProxy("strip-upgrade") { proxy, backend in
            let report = try await Probe.diagnose(proxy.url(path: "/")) {
                $0.direct = try WebSocketURL(parsing: "ws://127.0.0.1:\(backend.port)/")
            }
            let status = report.transcript.handshake?.status
            // websockets answers 426 to a request without Upgrade, 505 to the HTTP/1.0 that strip-upgrade sends.
            #expect(status == 426 || status == 505, Probe.describe(report))
            #expect(
                report.transcript.handshake?.bodyPreview?.contains("Failed to open a WebSocket connection") == true, "websockets' own body")
            #expect(report.directTranscript?.handshake?.status == 101)
            #expect(report.verdict.cause == "infrastructure.upgrade-not-forwarded", Probe.describe(report))
            #expect(report.verdict.layer == .infrastructure)
        }
    }

    @Test(
        "inject-close 1001 'CloudFlare WebSocket proxy restarting' from the front: infrastructure edge-restart",
        .enabled(if: InteropPeer.shouldRun(.pythonWebsockets), InteropPeer.reason(.pythonWebsockets)), .realIO)
    func injectEdgeRestart() async throws {
        try await Self.withProxy("inject-close:code=1001,reason=CloudFlare WebSocket proxy restarting,after=1s") { proxy, _ in
            let report = try await Probe.diagnose(proxy.url(path: "/")) {
                $0.sustain = .seconds(3)
                $0.trafficInterval = .milliseconds(500)
            }
            let close = report.transcript.close
            #expect(close.received?.code == 1001, Probe.describe(close))
            #expect(close.received?.reason == "CloudFlare WebSocket proxy restarting")
            #expect(report.verdict.cause == "infrastructure.edge-restart", Probe.describe(report))
            #expect(report.verdict.layer == .infrastructure)
        }
    }

    @Test(
        "inject-close 1011 only through the front, websockets healthy direct: not blamed on the application alone",
        .enabled(if: InteropPeer.shouldRun(.pythonWebsockets), InteropPeer.reason(.pythonWebsockets)), .realIO)
    func injectInternalError() async throws {
        try await Self.withProxy("inject-close:code=1011,reason=Internal error,after=500ms") { proxy, backend in
            let report = try await Probe.diagnose(proxy.url(path: "/")) {
                $0.sustain = .seconds(2)
                $0.trafficInterval = .milliseconds(500)
                $0.direct = try WebSocketURL(parsing: "ws://127.0.0.1:\(backend.port)/")
            }
            #expect(report.transcript.close.received?.code == 1011, Probe.describe(report.transcript.close))
            #expect(report.directTranscript?.close.received?.code != 1011, "direct, websockets never closes 1011")
            #expect(report.verdict.cause == "integration.app-failure-behind-front", Probe.describe(report))
            #expect(report.verdict.layer == .integration)
        }
    }
}
