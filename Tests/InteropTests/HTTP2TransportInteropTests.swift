import Foundation
import Testing
import WebSocketDiagnosis
import WebSocketLab
import WebSocketProbe
import WebSocketTestFramework

/// WebSockets over HTTP/2 (RFC 8441) against servers no one here wrote: Node's `http2` module with
/// `enableConnectProtocol` carrying the `ws` library (working, refusing the CONNECT, resetting or going away
/// once open), hypercorn, and HAProxy 2.6's h2 frontend in front of a plain WebSocket server. Both the
/// `h2` check of an HTTP/1.1 run and whole runs over HTTP/2 (`--http2`).
@Suite("Interop: WebSockets over HTTP/2 as the transport (node http2, hypercorn, HAProxy h2)")
struct HTTP2TransportInteropTests {
    /// A run of `url` trusting `authority`, over HTTP/2 when `http2` (no auth matrix: one connection's story).
    static func run(_ url: String, authority: LabCertificateAuthority, http2: Bool, _ configure: (inout ProbePlan) -> Void = { _ in })
        async throws -> DiagnosisReport
    {
        try await Probe.diagnose(url) {
            $0.tls.trustRootsPEM = [authority.rootCertificatePEM]
            $0.authChannelMatrix = false
            $0.profile = .echo
            if http2 { $0.transport = .http2 }
            configure(&$0)
        }
    }

    @Test(
        "node http2: a whole run over HTTP/2 opens with 200, echoes, answers pings and closes with a close frame each way",
        .enabled(if: InteropPeer.shouldRun(.nodeHTTP2), InteropPeer.reason(.nodeHTTP2)), .realIO)
    func nodeRunOverHTTP2IsHealthy() async throws {
        let authority = try LabCertificateAuthority.generate()
        try await InteropPeers.nodeHTTP2Server(authority: authority, mode: "works").run { server in
            let report = try await Self.run("wss://127.0.0.1:\(server.port)/chat?room=1", authority: authority, http2: true) {
                $0.subprotocols = ["chat.v2"]
            }
            let t = report.transcript
            #expect(report.verdict.cause == .healthy, Probe.describe(report))
            #expect(t.request?.method == "CONNECT")
            #expect(t.request?.headers.contains { $0.name == ":protocol" && $0.value == "websocket" } == true)
            #expect(t.handshake?.status == 200 && t.handshake?.httpVersion == "HTTP/2", Probe.describe(report))
            #expect(t.handshake?.subprotocol == "chat.v2")
            let h2 = try #require(t.http2, "the transcript carries the HTTP/2 connection")
            #expect(h2.alpn == "h2" && h2.extendedConnect && h2.outcome == .works, "\(h2.detail)")
            #expect(h2.settingsAtMs != nil && h2.answerAtMs != nil)
            #expect(t.timings.openAtMs != nil && (t.timings.upgradeMs ?? -1) >= 0)
            #expect(t.pings.contains { $0.rttMs != nil }, "a ping over the stream was answered")
            #expect(t.frames.contains { $0.direction == .inbound && $0.opcode == "text" }, "the echo came back over the stream")
            #expect(t.close.sent != nil && t.close.received != nil, Probe.describe(t.close))
            #expect(t.close.transportEnd != .localTimeout, "the stream's end came without waiting out a bound: \(Probe.describe(t.close))")
            #expect(report.steps.first { $0.name == .h2 }?.detail.contains("went over HTTP/2") == true)
            #expect(report.steps.first { $0.name == .upgrade }?.detail.contains("extended CONNECT") == true)
            #expect(report.steps.first { $0.name == .messages }?.status == .passed, Probe.describe(report))
            #expect(server.stdoutText.contains("request CONNECT websocket /chat?room=1"), "\(server.stdoutText)")
        }
    }

    @Test(
        "node http2: the h2 check of an HTTP/1.1 run finds the extended CONNECT working",
        .enabled(if: InteropPeer.shouldRun(.nodeHTTP2), InteropPeer.reason(.nodeHTTP2)), .realIO)
    func nodeCheckWorks() async throws {
        let authority = try LabCertificateAuthority.generate()
        try await InteropPeers.nodeHTTP2Server(authority: authority, mode: "works").run { server in
            let report = try await Self.run("wss://127.0.0.1:\(server.port)/", authority: authority, http2: false)
            #expect(report.transcript.handshake?.status == 101, Probe.describe(report))
            let h2 = try #require(report.http2, Probe.describe(report))
            #expect(h2.outcome == .works && h2.pingRttMs != nil, "\(h2.detail)")
            #expect(h2.messageSent == "a text message" && h2.messageAnswered == true && h2.messageRttMs != nil, "\(h2.detail)")
            #expect(
                report.steps.first { $0.name == .h2 }?.detail.contains("the profile's first message (a text message) was answered") == true)
            #expect(report.verdict.cause == .healthy, Probe.describe(report))
        }
    }

    @Test(
        "node http2 answering pings but no message over HTTP/2: the h2 check fails on the profile's first message, the browser-only failure",
        .enabled(if: InteropPeer.shouldRun(.nodeHTTP2), InteropPeer.reason(.nodeHTTP2)), .realIO)
    func nodeCheckNeedsTheFirstMessageAnswered() async throws {
        let authority = try LabCertificateAuthority.generate()
        try await InteropPeers.nodeHTTP2Server(authority: authority, mode: "mute").run { server in
            let started = ContinuousClock.now
            let report = try await Self.run("wss://127.0.0.1:\(server.port)/", authority: authority, http2: false) {
                $0.timeouts.message = .seconds(1)
            }
            #expect(report.steps.first { $0.name == .messages }?.status == .passed, "HTTP/1.1 echoes: \(Probe.describe(report))")
            let h2 = try #require(report.http2, Probe.describe(report))
            #expect(h2.outcome == .fails && h2.status == 200 && h2.pingRttMs != nil, "\(h2.detail)")
            #expect(h2.messageSent == "a text message" && h2.messageAnswered == false, "\(h2.detail)")
            #expect(h2.detail.contains("no answer to the profile's first message"), "\(h2.detail)")
            #expect(report.steps.first { $0.name == .h2 }?.status == .failed)
            #expect(report.verdict.cause == .http2WebSocketBroken, Probe.describe(report))
            #expect(
                report.verdict.evidence.contains { $0.observation.contains("first message (a text message) was not") },
                Probe.describe(report))
            #expect(ContinuousClock.now - started < .seconds(30), "the wait for the answer is bounded")
        }
    }

    @Test(
        "python-hyper h2 answering 200, a close frame with END_STREAM and the TLS end in one write: the close frame is read before the end",
        .enabled(if: InteropPeer.shouldRun(.hypercorn), InteropPeer.reason(.hypercorn)), .realIO)
    func answerCloseAndEndInOneRead() async throws {
        let authority = try LabCertificateAuthority.generate()
        try await InteropPeers.h2CloseAtOnceServer(authority: authority).run { server in
            let report = try await Self.run("wss://127.0.0.1:\(server.port)/", authority: authority, http2: true)
            let t = report.transcript
            #expect(t.handshake?.status == 200 && t.timings.openAtMs != nil, Probe.describe(report))
            #expect(t.close.received?.code == 1011 && t.close.received?.reason == "going down", Probe.describe(t.close))
            #expect(t.close.transportEnd == .http2EndStream, Probe.describe(t.close))
            #expect(t.frames.contains { $0.direction == .inbound && $0.opcode == "close" }, "the close frame is in the frame log")
            // The times are those of the read, not of when the connection took the answer.
            let read = try #require(t.close.received?.atMs)
            #expect(read >= (t.timings.openAtMs ?? .infinity) && read <= (t.close.atMs ?? 0), Probe.describe(t.close))
            #expect(t.http2?.streamEnds?.first?.frame == "END_STREAM", "\(t.http2?.detail ?? "-")")
            #expect(server.stdoutText.contains("request CONNECT websocket /"), "\(server.stdoutText)")
        }
    }

    @Test(
        "node http2 closing the open stream with close(): END_STREAM then RST_STREAM NO_ERROR, both recorded in order, END_STREAM the provenance",
        .enabled(if: InteropPeer.shouldRun(.nodeHTTP2), InteropPeer.reason(.nodeHTTP2)), .realIO)
    func nodeCloseEndsThenResets() async throws {
        let authority = try LabCertificateAuthority.generate()
        try await InteropPeers.nodeHTTP2Server(authority: authority, mode: "close-open").run { server in
            let report = try await Self.run("wss://127.0.0.1:\(server.port)/", authority: authority, http2: true)
            let t = report.transcript
            #expect(t.timings.openAtMs != nil, Probe.describe(report))
            #expect(t.close.received == nil)
            #expect(t.close.transportEnd == .http2EndStream, Probe.describe(t.close))
            let h2 = try #require(t.http2)
            #expect(h2.streamEnds?.map(\.text) == ["END_STREAM", "RST_STREAM NO_ERROR"], "\(h2.detail)")
            #expect(h2.resetCode == "NO_ERROR" && h2.detail.contains("then RST_STREAM NO_ERROR"), "\(h2.detail)")
        }
    }

    @Test(
        "node http2 advertising the setting and refusing every CONNECT: the browser-only failure, over HTTP/1.1 with the check and over HTTP/2",
        .enabled(if: InteropPeer.shouldRun(.nodeHTTP2), InteropPeer.reason(.nodeHTTP2)), .realIO)
    func nodeRefusingIsTheBrowserOnlyFailure() async throws {
        let authority = try LabCertificateAuthority.generate()
        try await InteropPeers.nodeHTTP2Server(authority: authority, mode: "refuse").run { server in
            let url = "wss://127.0.0.1:\(server.port)/socket"
            let overHTTP1 = try await Self.run(url, authority: authority, http2: false)
            #expect(overHTTP1.transcript.handshake?.status == 101, "HTTP/1.1 works: \(Probe.describe(overHTTP1))")
            let h2 = try #require(overHTTP1.http2, Probe.describe(overHTTP1))
            #expect(h2.outcome == .fails && h2.resetCode == "REFUSED_STREAM", "\(h2.detail)")
            #expect(overHTTP1.verdict.cause == .http2WebSocketBroken, Probe.describe(overHTTP1))
            #expect(overHTTP1.verdict.summary.contains("Chrome and Firefox will fail with 1006"))

            let overHTTP2 = try await Self.run(url, authority: authority, http2: true)
            let t = overHTTP2.transcript
            #expect(t.timings.openAtMs == nil)
            #expect(t.failure?.kind == .http2StreamReset, Probe.describe(overHTTP2))
            #expect(t.http2?.resetCode == "REFUSED_STREAM")
            #expect(t.close.transportEnd == .http2Reset, Probe.describe(t.close))
            #expect(overHTTP2.verdict.cause == .http2WebSocketBroken, Probe.describe(overHTTP2))
            #expect(overHTTP2.verdict.next.contains { $0.action == .compareHTTP1 })
        }
    }

    @Test(
        "node http2 resetting the open stream (RST_STREAM INTERNAL_ERROR) with no close frame: the close provenance and cause say RST_STREAM",
        .enabled(if: InteropPeer.shouldRun(.nodeHTTP2), InteropPeer.reason(.nodeHTTP2)), .realIO)
    func nodeResetOfTheOpenStream() async throws {
        let authority = try LabCertificateAuthority.generate()
        try await InteropPeers.nodeHTTP2Server(authority: authority, mode: "reset-open").run { server in
            let report = try await Self.run("wss://127.0.0.1:\(server.port)/", authority: authority, http2: true)
            let t = report.transcript
            #expect(t.timings.openAtMs != nil, Probe.describe(report))
            #expect(t.close.received == nil)
            #expect(t.close.transportEnd == .http2Reset, Probe.describe(t.close))
            #expect(t.http2?.resetCode == "INTERNAL_ERROR", "\(t.http2?.detail ?? "-")")
            #expect(t.failure?.kind == .http2StreamReset, Probe.describe(report))
            #expect(report.verdict.cause == .http2StreamReset, Probe.describe(report))
        }
    }

    @Test(
        "node http2 answering a message with GOAWAY PROTOCOL_ERROR: the close provenance and cause say GOAWAY",
        .enabled(if: InteropPeer.shouldRun(.nodeHTTP2), InteropPeer.reason(.nodeHTTP2)), .realIO)
    func nodeGoAwayUnderTheOpenStream() async throws {
        let authority = try LabCertificateAuthority.generate()
        try await InteropPeers.nodeHTTP2Server(authority: authority, mode: "goaway-open").run { server in
            let report = try await Self.run("wss://127.0.0.1:\(server.port)/", authority: authority, http2: true)
            let t = report.transcript
            #expect(t.timings.openAtMs != nil, Probe.describe(report))
            #expect(t.close.transportEnd == .http2GoAway, Probe.describe(t.close))
            #expect(t.http2?.goAwayCode == "PROTOCOL_ERROR", "\(t.http2?.detail ?? "-")")
            #expect(report.verdict.cause == .http2GoAway, Probe.describe(report))
            #expect(report.verdict.summary.contains("PROTOCOL_ERROR"))
        }
    }

    @Test(
        "hypercorn: a whole run over HTTP/2 is healthy, and a route that refuses over HTTP/2 is the browser-only failure",
        .enabled(if: InteropPeer.shouldRun(.hypercorn), InteropPeer.reason(.hypercorn)), .realIO)
    func hypercornOverHTTP2() async throws {
        let authority = try LabCertificateAuthority.generate()
        try await InteropPeers.hypercorn(authority: authority).run { server in
            let works = try await Self.run("wss://127.0.0.1:\(server.port)/echo", authority: authority, http2: true)
            #expect(works.transcript.handshake?.status == 200 && works.transcript.handshake?.httpVersion == "HTTP/2", Probe.describe(works))
            #expect(works.verdict.cause == .healthy, Probe.describe(works))
            let refused = try await Self.run("wss://127.0.0.1:\(server.port)/h1-only", authority: authority, http2: true)
            #expect(refused.transcript.handshake?.status == 403, Probe.describe(refused))
            #expect(refused.transcript.failure?.kind == .upgradeRejected)
        }
    }

    @Test(
        "HAProxy 2.6 with an h2 frontend in front of a plain WebSocket server: the extended CONNECT is bridged, over HTTP/2 and in the check",
        .enabled(if: InteropPeer.shouldRun(.haproxy, .pythonWebsockets), InteropPeer.reason(.haproxy, .pythonWebsockets)), .realIO)
    func haproxyH2FrontendBridgesTheExtendedConnect() async throws {
        let authority = try LabCertificateAuthority.generate()
        try await InteropPeers.websocketsServer("echo").run { backend in
            try await InteropPeers.haproxyHTTP2(authority: authority, upstreamPort: backend.port).run { front in
                let url = "wss://127.0.0.1:\(front.port)/"
                let overHTTP2 = try await Self.run(url, authority: authority, http2: true)
                let t = overHTTP2.transcript
                #expect(t.handshake?.status == 200 && t.http2?.extendedConnect == true, Probe.describe(overHTTP2))
                #expect(t.frames.contains { $0.direction == .inbound && $0.opcode == "text" }, "the echo came back through HAProxy")
                #expect(overHTTP2.verdict.cause == .healthy, Probe.describe(overHTTP2))

                let overHTTP1 = try await Self.run(url, authority: authority, http2: false)
                #expect(overHTTP1.http2?.outcome == .works, "\(overHTTP1.http2?.detail ?? "no check")")
                #expect(overHTTP1.verdict.cause == .healthy, Probe.describe(overHTTP1))
            }
        }
    }

    @Test(
        "python-hyper h2 over --http2: silence after the CONNECT ends at the upgrade bound; GOAWAY in answer is the browser-only failure",
        .enabled(if: InteropPeer.shouldRun(.hypercorn), InteropPeer.reason(.hypercorn)), .realIO)
    func refusingH2ServerOverHTTP2() async throws {
        let authority = try LabCertificateAuthority.generate()
        try await InteropPeers.h2RefusingServer(authority: authority, mode: "silent").run { server in
            let started = ContinuousClock.now
            let report = try await Self.run("wss://127.0.0.1:\(server.port)/", authority: authority, http2: true) {
                $0.timeouts.upgrade = .seconds(1)
            }
            let took = ContinuousClock.now - started
            let t = report.transcript
            #expect(t.failure?.kind == .handshakeTimeout, Probe.describe(report))
            #expect(t.failure?.detail.contains("no answer to the extended CONNECT within 1s") == true, Probe.describe(report))
            #expect(t.close.transportEnd == .localTimeout, Probe.describe(t.close))
            #expect(took < .seconds(10), "the wait for the answer is bounded: \(took)")
        }
        try await InteropPeers.h2RefusingServer(authority: authority, mode: "goaway").run { server in
            let report = try await Self.run("wss://127.0.0.1:\(server.port)/", authority: authority, http2: true)
            #expect(report.transcript.failure?.kind == .http2GoAway, Probe.describe(report))
            #expect(report.transcript.http2?.goAwayCode == "PROTOCOL_ERROR")
            #expect(report.transcript.close.transportEnd == .http2GoAway, Probe.describe(report.transcript.close))
            #expect(report.verdict.cause == .http2WebSocketBroken, Probe.describe(report))
        }
    }

    @Test(
        "--http2 against a server that speaks HTTP/1.1 only: ALPN does not select h2, inconclusive with the lead to run over HTTP/1.1",
        .enabled(if: InteropPeer.shouldRun(.openssl), InteropPeer.reason(.openssl)), .realIO)
    func http2AgainstAnHTTP1OnlyServer() async throws {
        let authority = try LabCertificateAuthority.generate()
        try await InteropPeers.opensslServer(authority: authority, variant: .valid, www: true).run { server in
            let report = try await Self.run("wss://127.0.0.1:\(server.port)/", authority: authority, http2: true)
            #expect(report.transcript.failure?.kind == .http2NotNegotiated, Probe.describe(report))
            #expect(report.verdict.cause == .inconclusive, Probe.describe(report))
            #expect(report.verdict.next.contains { $0.action == .compareHTTP1 })
        }
    }
}
