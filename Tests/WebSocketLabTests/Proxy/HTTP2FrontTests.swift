import Testing
import WebSocketDiagnosis
import WebSocketProbe

@testable import WebSocketLab

/// The fault proxy serving HTTP/2 (`--http2`): our own client over HTTP/2 through the front to an echo server
/// (open, messages, close provenance), the `h2` check of an HTTP/1.1 run, and HTTP/1.1 on the same port.
@Suite("Proxy HTTP/2 front")
struct HTTP2FrontTests {
    /// An echo server behind a proxy that terminates TLS (the lab CA's valid chain) and serves HTTP/2.
    static func start(faults: [String] = [], configure: (inout ProxyConfiguration) -> Void = { _ in }) async throws -> ProxyHarness {
        try await ProxyHarness.start(faults: faults) {
            $0.tlsVariant = .valid
            $0.http2 = true
            configure(&$0)
        }
    }

    static func client(_ h: ProxyHarness, path: String = "/", http2: Bool) throws -> ClientConfiguration {
        var configuration = ClientConfiguration(url: try WebSocketURL(parsing: "wss://127.0.0.1:\(h.proxy.port)\(path)"))
        configuration.tls.trustRootsPEM = [try #require(h.proxy.rootCertificatePEM)]
        configuration.timeouts.connect = .seconds(10)
        configuration.timeouts.tlsHandshake = .seconds(10)
        configuration.timeouts.upgrade = .seconds(10)
        configuration.timeouts.message = .seconds(10)
        configuration.timeouts.close = .seconds(3)
        if http2 { configuration.transport = .http2 }
        return configuration
    }

    /// A diagnose run (HTTP/1.1 with the `h2` check, or wholly over HTTP/2) of the front.
    static func diagnose(_ h: ProxyHarness, http2: Bool = false) async throws -> DiagnosisReport {
        var plan = ProbePlan(target: try WebSocketURL(parsing: "wss://127.0.0.1:\(h.proxy.port)/"))
        plan.tls.trustRootsPEM = [try #require(h.proxy.rootCertificatePEM)]
        plan.authChannelMatrix = false
        plan.profile = .echo
        plan.timeouts.connect = .seconds(10)
        plan.timeouts.tlsHandshake = .seconds(10)
        plan.timeouts.upgrade = .seconds(10)
        plan.timeouts.message = .seconds(10)
        plan.timeouts.close = .seconds(3)
        if http2 { plan.transport = .http2 }
        return try await ProbeRunner(plan: plan).run()
    }

    /// The value of the series `series` (name and labels as exposed) in the proxy's metrics; nil when absent.
    static func metric(_ h: ProxyHarness, _ series: String) -> Double? {
        h.proxy.metrics.render().split(separator: "\n").first { $0.hasPrefix(series + " ") }
            .flatMap { Double($0.dropFirst(series.count + 1)) }
    }

    @Test func aWebSocketOverHTTP2OpensWith200EchoesAndClosesWithACloseFrameEachWay() async throws {
        let h = try await Self.start()
        var configuration = try Self.client(h, path: "/chat?room=1", http2: true)
        configuration.subprotocols = ["chat.v2"]
        let client = await WebSocketConnection.connect(configuration)
        #expect(await client.isOpen)
        await client.send(text: "over h2")
        #expect(await client.receive() == .text("over h2"))
        let big = [UInt8]((0..<300_000).map { UInt8(truncatingIfNeeded: $0) })
        await client.send(binary: big)
        #expect(await client.receive() == .binary(big), "a message larger than the flow-control windows crosses both ways")
        await client.close(code: 1000, reason: "done")
        let t = await client.transcript()
        #expect(t.handshake?.status == 200 && t.handshake?.httpVersion == "HTTP/2")
        #expect(t.handshake?.subprotocol == "chat.v2", "the backend's Sec-WebSocket-Protocol comes back as sec-websocket-protocol")
        #expect(t.handshake?.headers.contains { $0.name == "x-served-by" && $0.value == "instance-0" } == true)
        let h2 = try #require(t.http2)
        #expect(h2.alpn == "h2" && h2.extendedConnect && h2.outcome == .works, "\(h2.detail)")
        #expect(t.close.received?.code == 1000 && t.close.sent?.code == 1000)
        #expect(t.close.transportEnd != .localTimeout, "the stream ended (END_STREAM) without waiting out a bound: \(t.close.transportEnd)")
        // The front's streams are in the proxy's metrics: one WebSocket, answered 200, its bytes both ways.
        #expect(Self.metric(h, #"ws1011_proxy_h2_streams_total{kind="websocket"}"#) == 1)
        #expect(Self.metric(h, #"ws1011_proxy_h2_websocket_answers_total{answer="200"}"#) == 1)
        #expect((Self.metric(h, #"ws1011_proxy_bytes_total{direction="upstream"}"#) ?? 0) > 300_000)
        #expect((Self.metric(h, #"ws1011_proxy_bytes_total{direction="downstream"}"#) ?? 0) > 300_000)
        await h.stop()
    }

    @Test func theH2CheckFindsTheFrontWorkingAndTheRunIsHealthy() async throws {
        let h = try await Self.start()
        let report = try await Self.diagnose(h)
        #expect(report.transcript.handshake?.status == 101, "HTTP/1.1 through the same port")
        let h2 = try #require(report.http2)
        #expect(h2.outcome == .works && h2.pingRttMs != nil, "\(h2.detail)")
        #expect(report.verdict.cause == .healthy, "\(report.verdict.summary)")
        await h.stop()
    }

    @Test(
        arguments: [
            ("h2-connect-broken:status=502", "502", nil),
            ("h2-connect-broken:mode=reset", nil, "PROTOCOL_ERROR"),
            ("h2-connect-broken:mode=reset,code=REFUSED_STREAM", nil, "REFUSED_STREAM"),
            ("h2-connect-broken:mode=accept-reset", "200", "CANCEL"),
        ] as [(String, String?, String?)])
    func aBrokenFrontIsTheBrowserOnlyFailureWhileHTTP1Works(fault: String, status: String?, reset: String?) async throws {
        let h = try await Self.start(faults: [fault])
        let report = try await Self.diagnose(h)
        #expect(report.transcript.handshake?.status == 101, "HTTP/1.1 on the same port keeps working")
        #expect(report.transcript.frames.contains { $0.direction == .inbound && $0.opcode == "text" }, "and echoes")
        let h2 = try #require(report.http2)
        #expect(h2.extendedConnect, "the setting is still advertised")
        #expect(h2.outcome == .fails, "\(h2.detail)")
        #expect(h2.status.map(String.init) == status, "\(h2.detail)")
        #expect(h2.resetCode == reset, "\(h2.detail)")
        #expect(report.verdict.cause == .http2WebSocketBroken, "\(report.verdict.summary)")

        // Over HTTP/2 the WebSocket itself fails, as in a browser.
        let overHTTP2 = await WebSocketConnection.connect(try Self.client(h, http2: true))
        let opened = await overHTTP2.isOpen
        let next = opened ? await overHTTP2.receive(timeout: .seconds(5)) : .timeout
        #expect(!opened || next.isClosed, "the WebSocket over HTTP/2 fails (or dies at once after a 200)")
        // How the front answered is in its metrics: the refusal's status, or a reset before any answer.
        let answer = #"ws1011_proxy_h2_websocket_answers_total{answer="\#(status ?? "reset")"}"#
        #expect((Self.metric(h, answer) ?? 0) >= 2, "the h2 check and the connection above: \(answer)")
        await h.stop()
    }

    @Test func anHTTP1ClientOnTheHTTP2PortGetsTheHTTP1ProxyWithItsFaults() async throws {
        let h = try await Self.start(faults: ["reject-upgrade:status=429"])
        let client = await WebSocketConnection.connect(try Self.client(h, http2: false))
        #expect(await client.isOpen == false)
        #expect(await client.transcript().handshake?.status == 429, "the HTTP/1.1 path's faults apply to it")
        let overHTTP2 = await WebSocketConnection.connect(try Self.client(h, http2: true))
        #expect(await overHTTP2.isOpen, "handshake faults are for the HTTP/1.1 path only")
        await h.stop()
    }

    @Test func anUnreachableUpstreamIsAnswered502OnTheStream() async throws {
        let h = try await Self.start(configure: { $0.upstreams = [ProxyUpstream(host: "127.0.0.1", port: 9)] })
        let client = await WebSocketConnection.connect(try Self.client(h, http2: true))
        #expect(await client.isOpen == false)
        let t = await client.transcript()
        #expect(t.handshake?.status == 502, "an unreachable upstream is answered 502 on the stream")
        await h.stop()
    }

    @Test func anUpgradeTheLabRefusesWithABodyReachesTheHTTP2ClientAsItsStatus() async throws {
        // The lab answers an upgrade it turns down (here 403, no token) with a JSON body and its Content-Length:
        // through the front that is the stream's 403 (NIOHTTP2 checks the length against the DATA), not a reset.
        let lab = try await LabServer.start(LabConfiguration())
        let h = try await Self.start(configure: { $0.upstreams = [ProxyUpstream(host: "127.0.0.1", port: lab.port)] })
        let client = await WebSocketConnection.connect(try Self.client(h, path: "/ws", http2: true))
        #expect(await client.isOpen == false)
        let t = await client.transcript()
        #expect(t.handshake?.status == 403, "\(String(describing: t.failure))")
        await h.stop()
        await lab.shutdown()
    }

    @Test func http2WithoutTLSAndTheFaultWithoutHTTP2AreRefusedAtStart() async throws {
        await #expect { try await ProxyHarness.start { $0.http2 = true } } throws: { "\($0)".contains("--http2 needs TLS") }
        await #expect { try await ProxyHarness.start(faults: ["h2-connect-broken"]) } throws: { "\($0)".contains("--http2") }
    }
}

extension InboundMessage {
    var isClosed: Bool {
        if case .closed = self { return true }
        return false
    }
}
