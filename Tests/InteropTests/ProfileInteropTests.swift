import Foundation
import Testing
import WebSocketDiagnosis
import WebSocketProbe
import WebSocketTestFramework

/// Application profiles against servers no one here wrote: python-socketio (ASGI under uvicorn) for
/// `socketio`, a FastAPI app with its own envelope driven by a profile file, a python-websockets server with
/// the netra shapes for `netra` (both welcome forms), and the python-websockets echo server under `lab`.
@Suite("Interop: application profiles")
struct ProfileInteropTests {
    static let token = "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJpbnRlcm9wIn0.aW50ZXJvcC1zaWduYXR1cmU"

    /// The socketio profile with the namespace, event and reply set as a profile file would set them.
    static func socketIOProfile(namespace: String = "/", critical: Bool = false) -> ApplicationProfile {
        var p = ApplicationProfile.socketIO
        p.name = "socketio-chat"
        p.envelope = .socketIO(namespace: namespace, authJSON: nil)
        p.conversation = [
            .init(
                name: "message", send: .event(type: "message", payloadJSON: #""hi {random}""#),
                expect: .init(events: ["reply"], terminal: "reply"))
        ]
        if critical { p.criticalEvents = ["reply"] }
        return p
    }

    // MARK: - Socket.IO

    @Test(
        "a healthy python-socketio server is healthy under the socketio profile, Engine.IO pings answered",
        .enabled(if: InteropPeer.shouldRun(.socketIO), InteropPeer.reason(.socketIO)), .realIO)
    func socketIOHealthy() async throws {
        try await InteropPeers.socketIOApp("healthy").run { app in
            let report = try await Probe.diagnose("ws://127.0.0.1:\(app.port)") { $0.profile = .socketIO }
            #expect(report.verdict.cause == .healthy, Probe.describe(report))
            #expect(
                report.transcript.target.resource.hasPrefix("/socket.io/?EIO=4&transport=websocket"), "\(report.transcript.target.resource)"
            )
            let messages = try #require(report.steps.first { $0.name == .messages })
            #expect(messages.detail.contains("pingInterval 1000 ms"), "\(messages.detail)")
            #expect(messages.detail.contains("answered with 3"), "\(messages.detail)")
            #expect(report.transcript.frames.contains { $0.direction == .outbound && $0.preview == "3" }, "a pong 3 went out")
            #expect(report.transcript.frames.contains { $0.direction == .inbound && $0.preview?.hasPrefix(#"42["reply""#) == true })
        }
    }

    @Test(
        "a namespace and its events set in the profile: /chat answers reply",
        .enabled(if: InteropPeer.shouldRun(.socketIO), InteropPeer.reason(.socketIO)), .realIO)
    func socketIONamespace() async throws {
        try await InteropPeers.socketIOApp("healthy").run { app in
            let report = try await Probe.diagnose("ws://127.0.0.1:\(app.port)") { $0.profile = Self.socketIOProfile(namespace: "/chat") }
            #expect(report.verdict.cause == .healthy, Probe.describe(report))
            #expect(report.transcript.frames.contains { $0.direction == .inbound && $0.preview?.hasPrefix("40/chat,") == true })
            #expect(report.transcript.frames.contains { $0.direction == .inbound && $0.preview?.hasPrefix(#"42/chat,["reply""#) == true })
        }
    }

    @Test(
        "a Socket.IO connect handler that refuses (44 CONNECT_ERROR) is application.socketio-namespace-refused",
        .enabled(if: InteropPeer.shouldRun(.socketIO), InteropPeer.reason(.socketIO)), .realIO)
    func socketIORefused() async throws {
        try await InteropPeers.socketIOApp("refuse").run { app in
            let report = try await Probe.diagnose("ws://127.0.0.1:\(app.port)") { $0.profile = .socketIO }
            #expect(report.verdict.cause == .socketIONamespaceRefused, Probe.describe(report))
            #expect(report.verdict.layer == .application)
            #expect(report.verdict.summary.contains("not authorized"), "\(report.verdict.summary)")
            #expect(report.steps.first { $0.name == .auth }?.status == .failed)
        }
    }

    @Test(
        "a Socket.IO event handler that raises answers nothing: the expected reply is missing, application.missing-events",
        .enabled(if: InteropPeer.shouldRun(.socketIO), InteropPeer.reason(.socketIO)), .realIO)
    func socketIOFailingHandler() async throws {
        try await InteropPeers.socketIOApp("failing").run { app in
            let report = try await Probe.diagnose("ws://127.0.0.1:\(app.port)") { $0.profile = Self.socketIOProfile(critical: true) }
            #expect(report.verdict.cause == .missingEvents, Probe.describe(report))
            #expect(report.verdict.layer == .application)
            #expect(report.contract == nil, "the app spoke Socket.IO: no contract mismatch")
            let deadline = ContinuousClock.now + .seconds(3)
            while !app.stderrText.contains("the message handler failed"), ContinuousClock.now < deadline {
                try await Task.sleep(for: .milliseconds(50))
            }
            #expect(app.stderrText.contains("the message handler failed"), "python-socketio logs the exception: \(app.stderrText)")
        }
    }

    @Test(
        "withheld Engine.IO pongs: the Socket.IO server ends the connection at its ping timeout, the application's decision",
        .enabled(if: InteropPeer.shouldRun(.socketIO), InteropPeer.reason(.socketIO)), .realIO)
    func socketIOPingTimeout() async throws {
        try await InteropPeers.socketIOApp("healthy").run { app in
            let report = try await Probe.diagnose("ws://127.0.0.1:\(app.port)") {
                $0.profile = .socketIO
                $0.withholdPongs = true
                $0.sustain = .seconds(8)
            }
            // The Engine.IO keepalive fingerprint itself (2 unanswered, closed at pingInterval + pingTimeout) is the
            // classifier's application-keepalive rule; here: our pongs were withheld and the server, not the path, ended it.
            #expect(report.verdict.layer == .application, Probe.describe(report))
            #expect(report.transcript.close.received != nil, Probe.describe(report))
            #expect(report.transcript.frames.contains { $0.direction == .inbound && $0.preview == "2" }, "the server pinged")
            #expect(!report.transcript.frames.contains { $0.direction == .outbound && $0.preview == "3" }, "no pong went out")
            #expect(report.steps.first { $0.name == .messages }?.detail.contains("not answered") == true)
        }
    }

    // MARK: - A profile file

    static var fastAPIProfile: String { InteropPeer.packageRoot.appendingPathComponent("Fixtures/profiles/fastapi-chat.json").path }

    @Test(
        "a FastAPI app with its own envelope, driven by a profile file, is healthy; the query token never shows",
        .enabled(if: InteropPeer.shouldRun(.fastAPI), InteropPeer.reason(.fastAPI)), .realIO)
    func fastAPIHealthy() async throws {
        try await InteropPeers.fastAPIApp().run { app in
            let report = try await Probe.diagnose("ws://127.0.0.1:\(app.port)") {
                $0.profile = try ProfileLoader.load(path: Self.fastAPIProfile)
                $0.token = .literal(Self.token)
            }
            #expect(report.verdict.cause == .healthy, Probe.describe(report))
            let messages = try #require(report.steps.first { $0.name == .messages })
            #expect(messages.detail.contains("3 chat.delta chunk(s)"), "\(messages.detail)")
            #expect(report.transcript.target.resource.hasPrefix("/ws?access_token="))
            let json = try JSONReportRenderer.render(report)
            #expect(!json.contains(Self.token) && !json.contains("aW50ZXJvcC1zaWduYXR1cmU"))
        }
    }

    @Test(
        "the FastAPI chat handler raising mid-stream under uvicorn is application.connection-dropped",
        .enabled(if: InteropPeer.shouldRun(.fastAPI), InteropPeer.reason(.fastAPI)), .realIO)
    func fastAPIFailing() async throws {
        try await InteropPeers.fastAPIApp().run { app in
            let report = try await Probe.diagnose("ws://127.0.0.1:\(app.port)/ws-failing") {
                $0.profile = try ProfileLoader.load(path: Self.fastAPIProfile)
                $0.token = .literal(Self.token)
            }
            #expect(report.verdict.cause == .applicationConnectionDropped, Probe.describe(report))
            #expect(report.verdict.layer == .application)
        }
    }

    @Test(
        "the same FastAPI app under the lab profile speaks another contract: client.contract-mismatch naming the welcome",
        .enabled(if: InteropPeer.shouldRun(.fastAPI), InteropPeer.reason(.fastAPI)), .realIO)
    func fastAPIUnderTheLabProfile() async throws {
        try await InteropPeers.fastAPIApp().run { app in
            let report = try await Probe.diagnose("ws://127.0.0.1:\(app.port)/ws?access_token=x") { $0.profile = .lab }
            #expect(report.verdict.cause == .contractMismatch, Probe.describe(report))
            let welcome = try #require(report.contract?.mismatches.first { $0.field == "welcome" })
            #expect(welcome.seen.contains { $0.contains(#""event":"hello""#) || $0.contains(#""event": "hello""#) }, "\(welcome.seen)")
        }
    }

    // MARK: - netra

    @Test(
        "a server with the netra shapes is healthy under the netra profile, with either welcome form",
        .enabled(if: InteropPeer.shouldRun(.pythonWebsockets), InteropPeer.reason(.pythonWebsockets)), .realIO,
        arguments: ["plain", "system"])
    func netraHealthy(welcome: String) async throws {
        try await InteropPeers.netraServer(welcome).run { server in
            let report = try await Probe.diagnose("ws://127.0.0.1:\(server.port)/ws") {
                $0.profile = .netra
                $0.token = .literal(Self.token)
            }
            #expect(report.verdict.cause == .healthy, Probe.describe(report))
            #expect(report.steps.first { $0.name == .subprotocol }?.status == .passed)
            let selected = try #require(report.transcript.handshake?.subprotocol)
            #expect(
                selected.hasPrefix("jwt.") && !selected.contains("aW50ZXJvcC1zaWduYXR1cmU"),
                "the selected token entry is redacted: \(selected)")
            let auth = try #require(report.steps.first { $0.name == .auth })
            #expect(auth.detail.contains(welcome == "system" ? "system_message" : "connection_established"), "\(auth.detail)")
            #expect(report.steps.first { $0.name == .agentEvents }?.detail.contains("all 5 events in order") == true)
        }
    }

    @Test(
        "the netra-shaped server closing 1011 mid-run is application.internal-error-close",
        .enabled(if: InteropPeer.shouldRun(.pythonWebsockets), InteropPeer.reason(.pythonWebsockets)), .realIO)
    func netraCrash() async throws {
        try await InteropPeers.netraServer("crash").run { server in
            let report = try await Probe.diagnose("ws://127.0.0.1:\(server.port)/ws") {
                $0.profile = .netra
                $0.token = .literal(Self.token)
            }
            #expect(report.verdict.cause == .internalErrorClose, Probe.describe(report))
            #expect(report.verdict.layer == .application)
        }
    }

    @Test(
        "the netra-shaped server under the lab profile selects jwt.<token>, not jwt-auth: a contract mismatch on auth.selects",
        .enabled(if: InteropPeer.shouldRun(.pythonWebsockets), InteropPeer.reason(.pythonWebsockets)), .realIO)
    func netraUnderTheLabProfile() async throws {
        try await InteropPeers.netraServer("plain").run { server in
            let report = try await Probe.diagnose("ws://127.0.0.1:\(server.port)/ws") {
                $0.profile = .lab
                $0.token = .literal(Self.token)
            }
            #expect(report.verdict.cause == .contractMismatch, Probe.describe(report))
            #expect(report.contract?.mismatches.first?.field == "auth.selects")
        }
    }

    // MARK: - Echo under lab

    @Test(
        "python-websockets' echo server under the lab profile is client.contract-mismatch, not the application's fault",
        .enabled(if: InteropPeer.shouldRun(.pythonWebsockets), InteropPeer.reason(.pythonWebsockets)), .realIO)
    func echoUnderTheLabProfile() async throws {
        try await InteropPeers.websocketsServer("echo").run { server in
            let report = try await Probe.diagnose("ws://127.0.0.1:\(server.port)") {
                $0.profile = .lab
                $0.token = .literal(Self.token)
            }
            #expect(report.verdict.cause == .contractMismatch, Probe.describe(report))
            #expect(report.verdict.layer == .client)
            let fields = report.contract?.mismatches.map(\.field) ?? []
            #expect(fields.contains("auth.selects") && fields.contains("welcome"), "\(fields)")
        }
    }
}
