import Foundation
import Synchronization
import Testing
import WebSocketDiagnosis
import WebSocketLab
import WebSocketProbe
import WebSocketTestFramework

/// nginx as a real front (reverse proxy) in front of the Python `websockets` server, uvicorn or the lab.
@Suite("Interop: nginx front")
struct NginxInteropTests {
    /// nginx forwarding the upgrade properly, with a short read timeout.
    static let forwardingUpgrade = """
        proxy_http_version 1.1;
                    proxy_set_header Upgrade $http_upgrade;
                    proxy_set_header Connection "upgrade";
                    proxy_read_timeout 2s;
        """

    @Test(
        "nginx proxy_read_timeout cuts a silent connection with no close frame while pings keep it alive: infrastructure idle-timeout",
        .enabled(if: InteropPeer.shouldRun(.nginx, .pythonWebsockets), InteropPeer.reason(.nginx, .pythonWebsockets)), .realIO)
    func readTimeoutIsIdleTimeout() async throws {
        try await InteropPeers.websocketsServer("echo").run { backend in
            try await InteropPeers.nginx(upstreamPort: backend.port, location: Self.forwardingUpgrade).run { nginx in
                let report = try await Probe.diagnose("ws://127.0.0.1:\(nginx.port)/") {
                    $0.idleProbe = .seconds(4)
                    $0.lifetimeProbe = .seconds(4)
                    $0.trafficInterval = .milliseconds(500)
                }
                let m = try #require(report.measurements, Probe.describe(report))
                let idle = try #require(
                    m.idleTimeoutMs,
                    "the silent connection outlived nginx's 2 s read timeout: \(Probe.describe(report))\n\(nginx.stderrText)")
                #expect(idle > 1700 && idle < 3200, "nginx cut the silent connection after \(idle) ms; expected ~2 s")
                #expect(m.lifetimeMs == nil, "pings every 500 ms should keep nginx's read timeout from firing: \(Probe.describe(report))")
                let silent = try #require(m.idleTranscript)
                #expect(silent.handshake?.status == 101)
                #expect(silent.close.received == nil, "nginx sends no close frame: \(Probe.describe(silent.close))")
                #expect(silent.close.transportEnd == .eof || silent.close.transportEnd == .reset, Probe.describe(silent.close))
                #expect(report.verdict.cause == "infrastructure.idle-timeout", Probe.describe(report))
                #expect(report.verdict.layer == .infrastructure)
            }
        }
    }

    @Test(
        "nginx -s reload with worker_shutdown_timeout cuts every fleet connection at once, new upgrades open: infrastructure reload-drain with the measured delay",
        .enabled(if: InteropPeer.shouldRun(.nginx), InteropPeer.reason(.nginx)), .realIO)
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
        try await InteropPeers.nginx(
            upstreamPort: echoPort, location: Self.forwardingUpgradeLongTimeout, reloadable: "worker_shutdown_timeout 1s;"
        )
        .run { nginx in
            // worker_shutdown_timeout 1s: the old worker cuts its connections about 1 s after the reload.
            try await FleetReload.expectOneReloadEvent(port: nginx.port, grace: "worker_shutdown_timeout 1s", log: { nginx.stderrText }) {
                try await InteropPeers.nginxReload(nginx)
            }
        }
    }

    /// nginx forwarding the upgrade, with a read timeout far beyond the test.
    static let forwardingUpgradeLongTimeout = """
        proxy_http_version 1.1;
                    proxy_set_header Upgrade $http_upgrade;
                    proxy_set_header Connection "upgrade";
                    proxy_read_timeout 60s;
        """

    /// Backends that see the plain HTTP an nginx without upgrade forwarding sends them, and the status each answers.
    enum PlainHTTPCase: String, CaseIterable, Sendable {
        /// nginx's defaults (HTTP/1.0 upstream, hop-by-hop headers dropped) in front of Python websockets: 505.
        case websocketsBehindDefaults
        /// `proxy_http_version 1.1` but no Upgrade/Connection in front of Python websockets: 426.
        case websocketsBehindHTTP11
        /// nginx's defaults in front of a Starlette WebSocket route under uvicorn: 404.
        case starletteBehindDefaults
    }

    @Test(
        "nginx without the upgrade headers makes the backend answer plain HTTP; with --direct: infrastructure upgrade-not-forwarded",
        .enabled(if: InteropPeer.shouldRun(.nginx, .uvicorn), InteropPeer.reason(.nginx, .uvicorn)), .realIO,
        arguments: PlainHTTPCase.allCases)
    func upgradeNotForwarded(_ scenario: PlainHTTPCase) async throws {
        let backend =
            scenario == .starletteBehindDefaults ? try await InteropPeers.uvicornApp() : try await InteropPeers.websocketsServer("echo")
        try await backend.run { backend in
            let location = scenario == .websocketsBehindHTTP11 ? "proxy_http_version 1.1;" : ""
            let path = scenario == .starletteBehindDefaults ? "/echo" : "/"
            let expected =
                switch scenario {
                case .websocketsBehindDefaults: 505
                case .websocketsBehindHTTP11: 426
                case .starletteBehindDefaults: 404
                }
            try await InteropPeers.nginx(upstreamPort: backend.port, location: location).run { nginx in
                let report = try await Probe.diagnose("ws://127.0.0.1:\(nginx.port)\(path)") {
                    $0.direct = try WebSocketURL(parsing: "ws://127.0.0.1:\(backend.port)\(path)")
                }
                #expect(report.transcript.handshake?.status == expected, Probe.describe(report))
                #expect(report.directTranscript?.handshake?.status == 101, "the backend upgrades direct")
                #expect(report.verdict.cause == "infrastructure.upgrade-not-forwarded", Probe.describe(report))
                #expect(report.verdict.layer == .infrastructure)
            }
        }
    }

    @Test(
        "nginx clearing Authorization in front of the lab: the header channel fails only through nginx: infrastructure header-stripped",
        .enabled(if: InteropPeer.shouldRun(.nginx), InteropPeer.reason(.nginx)), .realIO)
    func authorizationStripped() async throws {
        let lab = try await LabFixture.shared.labServer()
        let token = try await lab.mintToken(email: TestUsers.agentUser.email)
        let location = """
            proxy_http_version 1.1;
                        proxy_set_header Upgrade $http_upgrade;
                        proxy_set_header Connection "upgrade";
                        proxy_set_header Authorization "";
            """
        try await InteropPeers.nginx(upstreamPort: lab.port, location: location).run { nginx in
            let report = try await Probe.diagnose("ws://127.0.0.1:\(nginx.port)/ws") {
                $0.headers = [HeaderField("Authorization", "Bearer \(token)")]
                $0.token = .literal(token)
                $0.direct = try WebSocketURL(parsing: lab.websocketURL)
                // The lab's contract accepts the subprotocol too: name both channels for the matrix.
                $0.authChannels = [.subprotocol, .header]
            }
            #expect(report.transcript.handshake?.status == 403, Probe.describe(report))
            #expect(report.directTranscript?.handshake?.status == 101, "the lab accepts the header direct")
            let channels = report.authChannels ?? []
            #expect(channels.contains { $0.channel == .header && $0.path == .front && !$0.accepted }, "\(channels)")
            #expect(channels.contains { $0.channel == .subprotocol && $0.path == .front && $0.accepted }, "\(channels)")
            #expect(report.verdict.cause == "infrastructure.header-stripped", Probe.describe(report))
            #expect(report.verdict.layer == .infrastructure)
            let json = String(decoding: try JSONEncoder().encode(report), as: UTF8.self)
            #expect(!json.contains(token), "the token must not appear in the report")
        }
    }
}
