import Foundation
import Testing
import WebSocketDiagnosis
import WebSocketLab
import WebSocketProbe
import WebSocketTestFramework

/// HAProxy as a real front in front of the Python `websockets` server, or of the lab's echo server.
@Suite("Interop: HAProxy front")
struct HAProxyInteropTests {
    @Test(
        "HAProxy's tunnel/client timeouts cut a silent connection with no close frame: infrastructure idle-timeout",
        .enabled(if: InteropPeer.shouldRun(.haproxy, .pythonWebsockets), InteropPeer.reason(.haproxy, .pythonWebsockets)), .realIO,
        arguments: ["http", "tcp"])
    func idleTimeout(_ mode: String) async throws {
        let timeouts =
            mode == "http"
            ? ["connect 2s", "client 30s", "server 30s", "tunnel 2s"]
            : ["connect 2s", "client 2s", "server 2s"]
        try await InteropPeers.websocketsServer("echo").run { backend in
            try await InteropPeers.haproxy(mode: mode, upstreamPort: backend.port, timeouts: timeouts).run { haproxy in
                let report = try await Probe.diagnose("ws://127.0.0.1:\(haproxy.port)/") {
                    $0.idleProbe = .seconds(4)
                    $0.lifetimeProbe = .seconds(4)
                    $0.trafficInterval = .milliseconds(500)
                }
                #expect(report.transcript.handshake?.status == 101, Probe.describe(report))
                let m = try #require(report.measurements)
                let idle = try #require(
                    m.idleTimeoutMs,
                    "the silent connection outlived HAProxy's 2 s timeout: \(Probe.describe(report))\n\(haproxy.stderrText)")
                #expect(idle > 1700 && idle < 3200, "HAProxy cut the silent connection after \(idle) ms; expected ~2 s")
                #expect(m.lifetimeMs == nil, "pings every 500 ms keep HAProxy's idle timer from firing: \(Probe.describe(report))")
                #expect(m.idleTranscript?.close.received == nil, "HAProxy sends no close frame")
                #expect(report.verdict.cause == "infrastructure.idle-timeout", Probe.describe(report))
                #expect(report.verdict.layer == .infrastructure)
            }
        }
    }

    @Test(
        "HAProxy reloaded (master-worker, SIGUSR2) with hard-stop-after cuts every fleet connection at once, new upgrades open: infrastructure reload-drain with the measured delay",
        .enabled(if: InteropPeer.shouldRun(.haproxy), InteropPeer.reason(.haproxy)), .realIO)
    func reloadIsOneEventForTheWholeFleet() async throws {
        let echo = try await EchoServer.start(configuration: .init(name: "echo-0"))
        do {
            try await reloadFleet(echoPort: echo.port)
        } catch {
            await echo.shutdown()
            throw error
        }
        await echo.shutdown()
    }

    private func reloadFleet(echoPort: Int) async throws {
        let timeouts = ["connect 2s", "client 30s", "server 30s", "tunnel 60s"]
        try await InteropPeers.haproxy(mode: "http", upstreamPort: echoPort, timeouts: timeouts, reloadable: ["hard-stop-after 1s"]).run {
            haproxy in
            // hard-stop-after 1s: the old worker is stopped, with its connections, about 1 s after the reload.
            try await FleetReload.expectOneReloadEvent(port: haproxy.port, grace: "hard-stop-after 1s", log: { haproxy.stderrText }) {
                try await InteropPeers.haproxyReload(haproxy)
            }
        }
    }
}
