import Foundation
import Testing
import WebSocketDiagnosis
import WebSocketProbe
import WebSocketTestFramework

/// The client and the classifier against the Python `websockets` library's server (a peer no one here wrote).
@Suite("Interop: Python websockets server")
struct PythonWebsocketsInteropTests {
    @Test(
        "a healthy echo through the probe runner is healthy with a valid accept key and the echoed message",
        .enabled(if: InteropPeer.shouldRun(.pythonWebsockets), InteropPeer.reason(.pythonWebsockets)), .realIO)
    func healthyEcho() async throws {
        try await InteropPeers.websocketsServer("echo").run { server in
            let report = try await Probe.diagnose("ws://127.0.0.1:\(server.port)/") { $0.profile = .echo }
            let t = report.transcript
            #expect(report.verdict.cause == "healthy", "\(Probe.describe(report))\n\(server.stderrText)")
            #expect(report.verdict.layer == .healthy)
            #expect(t.handshake?.status == 101)
            #expect(t.handshake?.acceptValid == true)
            #expect(t.frames.contains { $0.direction == .inbound && $0.opcode == "text" }, "the echo came back as a text frame")
            #expect(t.pings.contains { $0.pongAtMs != nil }, "websockets answers our ping")
            #expect(t.close.sent?.code == 1000 && t.close.received?.code == 1000, Probe.describe(t.close))
            #expect(report.steps.allSatisfy { $0.status != .failed })
        }
    }

    @Test(
        "a handler that raises after accept makes websockets close 1011: application internal-error-close",
        .enabled(if: InteropPeer.shouldRun(.pythonWebsockets), InteropPeer.reason(.pythonWebsockets)), .realIO)
    func handlerRaisesAfterAccept() async throws {
        try await InteropPeers.websocketsServer("raise").run { server in
            let report = try await Probe.diagnose("ws://127.0.0.1:\(server.port)/") { $0.profile = .echo }
            let close = report.transcript.close
            #expect(report.transcript.handshake?.status == 101)
            #expect(close.received?.code == 1011, "websockets sends 1011 when the handler raises: \(Probe.describe(close))")
            #expect(close.order == .receivedFirst || close.order == .receivedOnly, Probe.describe(close))
            #expect(report.verdict.cause == "application.internal-error-close", Probe.describe(report))
            #expect(report.verdict.layer == .application)
        }
    }

    @Test(
        "withheld pongs make the websockets keepalive give up: application keepalive-timeout",
        .enabled(if: InteropPeer.shouldRun(.pythonWebsockets), InteropPeer.reason(.pythonWebsockets)), .realIO)
    func keepaliveTimeout() async throws {
        try await InteropPeers.websocketsServer("keepalive").run { server in
            var configuration = try Probe.configuration("ws://127.0.0.1:\(server.port)/")
            configuration.answerPings = false
            let connection = await TestConnections.connect(configuration)
            #expect(await connection.isOpen)
            // ping_interval 1 s + ping_timeout 1 s: the server gives up about 2 s after open.
            let end = await connection.waitForEnd(timeout: .seconds(8))
            let t = await TestConnections.transcript(of: connection)
            #expect(end != nil, "the server kept a connection whose pongs were withheld for 8 s")
            #expect(t.frames.contains { $0.direction == .inbound && $0.opcode == "ping" }, "the server pinged")
            #expect(!t.frames.contains { $0.direction == .outbound && $0.opcode == "pong" }, "we withheld every pong")
            if let received = t.close.received {
                #expect(received.code == 1011, Probe.describe(t.close))
                #expect(received.reason.lowercased().contains("keepalive ping timeout"), Probe.describe(t.close))
            } else {
                #expect(t.close.transportEnd != .stillOpen, Probe.describe(t.close))
            }
            // The server's 2 s run from its own open, which follows our request; our open is when we read its 101,
            // which a busy machine can delay. So the lower bound is judged from our request, the upper from our open.
            let opened = t.timings.openAtMs ?? 0
            let lived = (t.close.atMs ?? 0) - opened
            let sinceRequest = (t.close.atMs ?? 0) - (t.timings.requestWrittenAtMs ?? 0)
            #expect(
                sinceRequest > 1800 && lived < 6000,
                "ended \(lived) ms after open, \(sinceRequest) ms after our request; expected ~2 s (interval + timeout)")
            let verdict = Probe.classify(t, profile: "plain")
            #expect(verdict.cause == "application.keepalive-timeout", "\(verdict.cause): \(verdict.summary) \(verdict.evidence)")
            #expect(verdict.layer == .application)
        }
    }

    @Test(
        "answered pings keep the websockets keepalive happy (the near miss of the keepalive test)",
        .enabled(if: InteropPeer.shouldRun(.pythonWebsockets), InteropPeer.reason(.pythonWebsockets)), .realIO)
    func keepaliveAnswered() async throws {
        // A ping every 0.5 s, 2 s for each pong: an unanswered ping ends the connection at about 2.5 s, inside
        // the 4 s watched here, while an answer has 2 s to cross a busy machine (both processes are loaded).
        try await InteropPeers.websocketsServer("keepalive-slack").run { server in
            let connection = await TestConnections.connect(try Probe.configuration("ws://127.0.0.1:\(server.port)/"))
            #expect(await connection.isOpen)
            let end = await connection.waitForEnd(timeout: .seconds(4))
            #expect(end == nil, "the server closed although we answered its pings: \(end.map(Probe.describe) ?? "")")
            let t = await TestConnections.close(connection)
            #expect(t.frames.filter { $0.direction == .outbound && $0.opcode == "pong" }.count >= 2, "we answered the server's pings")
        }
    }

    @Test(
        "an unsupported subprotocol offer is refused by websockets with HTTP 400 before the upgrade",
        .enabled(if: InteropPeer.shouldRun(.pythonWebsockets), InteropPeer.reason(.pythonWebsockets)), .realIO)
    func subprotocolRejected() async throws {
        try await InteropPeers.websocketsServer("subprotocol").run { server in
            let url = "ws://127.0.0.1:\(server.port)/"
            let report = try await Probe.diagnose(url) { $0.subprotocols = ["other.v2"] }
            let h = report.transcript.handshake
            #expect(h?.status == 400, Probe.describe(report))
            #expect(h?.bodyPreview?.lowercased().contains("subprotocol") == true, "websockets says why: \(h?.bodyPreview ?? "")")
            #expect(report.verdict.layer == .application, Probe.describe(report))
            #expect(report.verdict.cause == "application.handshake-error", Probe.describe(report))

            let accepted = try await Probe.diagnose(url) { $0.subprotocols = ["chat.v1"] }
            #expect(accepted.transcript.handshake?.subprotocol == "chat.v1")
            #expect(accepted.verdict.cause == "healthy", Probe.describe(accepted))
        }
    }

    @Test(
        "an app closing 1008 right after accept is an application auth rejection",
        .enabled(if: InteropPeer.shouldRun(.pythonWebsockets), InteropPeer.reason(.pythonWebsockets)), .realIO)
    func policyClose() async throws {
        try await InteropPeers.websocketsServer("policy").run { server in
            let report = try await Probe.diagnose("ws://127.0.0.1:\(server.port)/")
            let close = report.transcript.close
            #expect(report.transcript.handshake?.status == 101)
            #expect(close.received?.code == 1008 && close.received?.reason == "unauthorized", Probe.describe(close))
            #expect(report.verdict.layer == .application, Probe.describe(report))
            #expect(report.verdict.cause == "application.auth-rejected", Probe.describe(report))
        }
    }
}
