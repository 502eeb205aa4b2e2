import Testing

@testable import WebSocketDiagnosis

/// One representative input per cause id, as the probe runner would hand it to the classifier.
struct CauseSample: CustomTestStringConvertible, Sendable {
    let name: String
    let input: ClassificationInput
    let expected: CauseID
    var testDescription: String { "\(expected): \(name)" }
}

enum CauseSamples {
    static let credential = ProbeExpectations(profile: "reference", sentCredential: true)
    static let agentEvents = ["agent_started", "agent_thinking", "tool_executing", "tool_completed", "agent_completed"]
    static let directOK = Fixture.opened().asDirect

    /// A healthy main attempt with `fleet` held after it.
    static func fleetInput(_ fleet: FleetObservation) -> ClassificationInput {
        var input = ClassificationInput(transcript: Fixture.opened())
        input.fleet = fleet
        return input
    }

    /// The classification context of ``fleetInput(_:)``, for one rule alone.
    static func fleetContext(_ fleet: FleetObservation) -> ClassificationContext {
        ClassificationContext(input: fleetInput(fleet), thresholds: ClassifierThresholds())
    }

    static var all: [CauseSample] {
        let welcomeThenMessage = Fixture.opened(frames: [inbound("text", at: 150), outbound("text", at: 400, length: 60)])
        let busy: ConnectionTranscript = {
            let p = pingsEvery(1000, from: 1120, to: 30_120)
            return Fixture.opened(frames: p.frames, pings: p.pings).endingBare(at: 30_132)
        }()
        let unansweredPings: ConnectionTranscript = {
            let good = pingsEvery(2000, from: 2120, to: 10_120)
            let bad = pingsEvery(2000, from: 12_120, to: 20_120, answered: false)
            return Fixture.opened(frames: good.frames + bad.frames, pings: good.pings + bad.pings)
                .sendingClose(1011, "keepalive ping timeout", at: 22_120, answered: false)
        }()
        var handshakeTimeout = Fixture.failed(.upgrade, "handshake-timeout", "no response head within 10000 ms", atMs: 10_070)
        handshakeTimeout.timings.requestWrittenAtMs = 70
        let matrix = [
            AuthChannelResult(channel: .subprotocol, path: .front, accepted: true, status: 101, detail: ""),
            AuthChannelResult(channel: .header, path: .front, accepted: false, status: 403, detail: ""),
            AuthChannelResult(channel: .header, path: .direct, accepted: true, status: 101, detail: ""),
        ]
        let allEvents = ProbeExpectations(
            profile: "reference", sentCredential: true, expectedEvents: agentEvents, receivedEvents: agentEvents)
        let someEvents = ProbeExpectations(
            profile: "reference", sentCredential: true, expectedEvents: agentEvents, receivedEvents: ["agent_started"])
        let corruptFrames = Fixture.opened().finding(.reservedBits, "RSV2 set", atMs: 300)
        var http2Broken = ClassificationInput(transcript: Fixture.opened())
        http2Broken.http2 = HTTP2Observation(
            outcome: .fails, alpn: "h2", settings: [.init(id: 8, name: "SETTINGS_ENABLE_CONNECT_PROTOCOL", value: 1)],
            extendedConnect: true, resetCode: "CONNECT_ERROR", failedAtMs: 42, detail: "RST_STREAM CONNECT_ERROR at 42 ms")
        var proxyForbids = Fixture.failed(.proxy, .proxyRefused, "the proxy answered CONNECT with HTTP 403 Forbidden")
        proxyForbids.proxy = ProxyObservation(
            proxy: "http://127.0.0.1:3128", source: "--proxy", target: "app.example.test:443", status: 403)
        var proxyDown = Fixture.failed(.proxy, .proxyConnectFailure, "TCP connect to the proxy 127.0.0.1:3128 failed: connection-refused")
        proxyDown.proxy = ProxyObservation(proxy: "http://127.0.0.1:3128", source: "https_proxy", target: "app.example.test:443")
        var contractMismatch = ClassificationInput(
            transcript: Fixture.opened(frames: [inbound("text", at: 150, preview: "hello")]),
            steps: [ProbeStep(name: .auth, status: .failed, detail: "no connection_established welcome within 10 s")],
            expectations: credential)
        contractMismatch.contract = ContractObservation(
            profile: "lab",
            mismatches: [
                ContractMismatch(
                    field: "welcome", expected: "connection_established within 10 s", observed: "1 other message(s)", seen: ["hello"])
            ])
        var socketIOExpectations = ProbeExpectations(profile: "socketio")
        socketIOExpectations.envelope = "socketio"
        let namespaceRefused = ClassificationInput(
            transcript: Fixture.opened(frames: [
                inbound("text", at: 130, preview: #"0{"sid":"a","pingInterval":25000,"pingTimeout":20000}"#),
                outbound("text", at: 135, preview: "40/admin,"),
                inbound("text", at: 140, preview: #"44/admin,{"message":"not authorized"}"#),
            ]),
            steps: [ProbeStep(name: .auth, status: .failed, detail: "namespace /admin refused the connection")],
            expectations: socketIOExpectations)
        let samples: [CauseSample] = [
            // Network
            .init(name: "proxy forbids CONNECT", input: .init(transcript: proxyForbids), expected: .proxyRefused),
            .init(name: "proxy down", input: .init(transcript: proxyDown), expected: .proxyUnreachable),
            .init(name: "NXDOMAIN", input: .init(transcript: Fixture.failed(.dns, "dns-failure", "NXDOMAIN")), expected: .dnsFailure),
            .init(
                name: "ECONNREFUSED", input: .init(transcript: Fixture.failed(.tcp, "connection-refused", "ECONNREFUSED")),
                expected: .connectionRefused),
            .init(
                name: "SYN dropped", input: .init(transcript: Fixture.failed(.tcp, "connect-timeout", "2000 ms")), expected: .connectTimeout
            ),
            .init(name: "RST at connect", input: .init(transcript: Fixture.failed(.tcp, "reset", "ECONNRESET")), expected: .networkReset),
            .init(
                name: "EHOSTUNREACH", input: .init(transcript: Fixture.failed(.tcp, "host-unreachable", "EHOSTUNREACH")),
                expected: .connectFailure),
            // TLS
            .init(
                name: "wss to plaintext", input: .init(transcript: Fixture.tlsFailed(.handshakeFailure, detail: "wrong version number")),
                expected: .plaintextPort),
            .init(name: "self-signed", input: .init(transcript: Fixture.tlsFailed(.selfSigned)), expected: .untrustedChain),
            .init(name: "not yet valid", input: .init(transcript: Fixture.tlsFailed(.notYetValid)), expected: .expiredCertificate),
            .init(name: "wrong host", input: .init(transcript: Fixture.tlsFailed(.hostnameMismatch)), expected: .hostnameMismatch),
            .init(
                name: "alert", input: .init(transcript: Fixture.tlsFailed(.handshakeFailure, detail: "alert handshake_failure")),
                expected: .tlsHandshakeFailure),
            .init(
                name: "certificate_required alert",
                input: .init(transcript: Fixture.tlsFailed(.clientCertificateRequired, detail: "alert certificate_required")),
                expected: .clientCertificateRequired),
            .init(
                name: "unknown_ca alert for our certificate",
                input: .init(transcript: Fixture.tlsFailed(.clientCertificateRejected, detail: "alert unknown_ca")),
                expected: .clientCertificateRejected),
            // Infrastructure
            .init(
                name: "404 only through the front", input: .init(transcript: Fixture.rejected(404), direct: directOK),
                expected: .upgradeNotForwarded),
            .init(name: "502 from nginx", input: .init(transcript: Fixture.rejected(502, server: "nginx")), expected: .upgradeRejected),
            .init(name: "front holds the upgrade", input: .init(transcript: handshakeTimeout, direct: directOK), expected: .upgradeTimeout),
            .init(
                name: "silent 60 s", input: .init(transcript: Fixture.opened(openAt: 100).endingBare(at: 60_112)), expected: .idleTimeout),
            .init(
                name: "30 s under pings", input: .init(transcript: busy, expectations: ProbeExpectations(pingsDuringRun: true)),
                expected: .lifetimeCap),
            .init(
                name: "auth matrix", input: .init(transcript: Fixture.rejected(403), authChannels: matrix, expectations: credential),
                expected: .headerStripped),
            .init(
                name: "drop after message, front only",
                input: .init(
                    transcript: welcomeThenMessage.endingBare(at: 430),
                    direct: welcomeThenMessage.asDirect.sendingClose(1000, at: 900, answered: true)),
                expected: .infrastructureConnectionDropped),
            .init(
                name: "Cloudflare restart",
                input: .init(transcript: Fixture.opened().receivingClose(1001, "CloudFlare WebSocket proxy restarting", at: 9000)),
                expected: .edgeRestart),
            .init(
                name: "events only direct",
                input: .init(
                    transcript: Fixture.opened(), direct: directOK,
                    directSteps: [ProbeStep(name: .agentEvents, status: .passed, detail: "5 events")], expectations: someEvents),
                expected: .messagesDropped),
            .init(
                name: "echo lost only through the front, pings pass",
                input: .init(
                    transcript: Fixture.opened(pings: [PingRecord(sentAtMs: 200, pongAtMs: 203)]),
                    direct: directOK,
                    steps: [
                        ProbeStep(name: .ping, status: .passed, detail: "pong in 3 ms"),
                        ProbeStep(name: .messages, status: .failed, detail: "no reply to the echo message within 10s"),
                    ],
                    directSteps: [ProbeStep(name: .messages, status: .passed, detail: "echo came back")],
                    expectations: ProbeExpectations(profile: "echo")),
                expected: .messagesDropped),
            .init(
                name: "corrupt frames only through the front", input: .init(transcript: corruptFrames, direct: directOK),
                expected: .frontProtocolViolation),
            // Application
            .init(
                name: "1011 Internal error", input: .init(transcript: welcomeThenMessage.receivingClose(1011, "Internal error", at: 410)),
                expected: .internalErrorClose),
            .init(
                name: "1011 keepalive ping timeout",
                input: .init(
                    transcript: Fixture.opened(frames: [inbound("ping", at: 20_000)]).receivingClose(
                        1011, "keepalive ping timeout", at: 40_010)), expected: .applicationKeepaliveTimeout),
            .init(
                name: "drop after message, direct too",
                input: .init(transcript: welcomeThenMessage.endingBare(at: 430), direct: welcomeThenMessage.asDirect.endingBare(at: 431)),
                expected: .applicationConnectionDropped),
            .init(
                name: "403 both ways",
                input: .init(transcript: Fixture.rejected(403), direct: Fixture.rejected(403).asDirect, expectations: credential),
                expected: .authRejected),
            .init(
                name: "1011 Service not ready",
                input: .init(transcript: Fixture.opened().receivingClose(1011, "Service not ready", at: 130)), expected: .notReady),
            .init(
                name: "1012", input: .init(transcript: Fixture.opened().receivingClose(1012, "", at: 5000)), expected: .applicationRestart),
            .init(
                name: "1009",
                input: .init(
                    transcript: Fixture.opened(frames: [outbound("binary", at: 400, length: 2_000_000)]).receivingClose(
                        1009, "too big", at: 410)), expected: .messageTooBig),
            .init(
                name: "1009 only through the front",
                input: .init(
                    transcript: Fixture.opened(frames: [outbound("binary", at: 400, length: 40_000)]).receivingClose(
                        1009, "Message too big", at: 410),
                    direct: directOK), expected: .frontMessageSizeLimit),
            .init(name: "1002", input: .init(transcript: Fixture.opened().receivingClose(1002, "", at: 300)), expected: .protocolError),
            .init(
                name: "no subprotocol echoed", input: .init(transcript: Fixture.opened(offered: ["jwt-auth"])),
                expected: .subprotocolNotEchoed),
            .init(name: "no welcome, other replies", input: contractMismatch, expected: .contractMismatch),
            .init(name: "Socket.IO 44 CONNECT_ERROR", input: namespaceRefused, expected: .socketIONamespaceRefused),
            .init(
                name: "ping flood, our ping unanswered",
                input: .init(
                    transcript: Fixture.opened().finding(.pingFlood, "more than 100 pings within one second from the peer", atMs: 130),
                    steps: [ProbeStep(name: .ping, status: .failed, detail: "no pong within 3s")]),
                expected: .pingFlood),
            .init(
                name: "HTTP 500 pre-accept", input: .init(transcript: Fixture.rejected(500, body: "Internal Server Error")),
                expected: .handshakeError),
            .init(
                name: "handshake timeout both ways", input: .init(transcript: handshakeTimeout, direct: handshakeTimeout.asDirect),
                expected: .applicationHandshakeTimeout),
            .init(name: "events missing", input: .init(transcript: Fixture.opened(), expectations: someEvents), expected: .missingEvents),
            .init(
                name: "1008 validation list",
                input: .init(transcript: Fixture.opened().receivingClose(1008, #"[{"loc":["payload"],"msg":"field required"}]"#, at: 300)),
                expected: .validationError),
            .init(
                name: "429 both ways", input: .init(transcript: Fixture.rejected(429), direct: Fixture.rejected(429).asDirect),
                expected: .rateLimited),
            .init(
                name: "4001", input: .init(transcript: Fixture.opened().receivingClose(4001, "replaced", at: 300)),
                expected: .applicationDefinedClose),
            .init(
                name: "Engine.IO session unknown",
                input: .init(transcript: Fixture.rejected(400, body: #"{"code":1,"message":"Session ID unknown"}"#)),
                expected: .noSessionAffinity),
            .init(name: "h2 extended CONNECT advertised, stream reset", input: http2Broken, expected: .http2WebSocketBroken),
            .init(
                name: "over HTTP/2, the open stream reset with no close frame",
                input: .init(
                    transcript: HTTP2StreamEndRuleTests.openedOverHTTP2(end: .http2Reset, HTTP2StreamEndRuleTests.h2(reset: "CANCEL"))),
                expected: .http2StreamReset),
            .init(
                name: "over HTTP/2, GOAWAY under the open stream",
                input: .init(
                    transcript: HTTP2StreamEndRuleTests.openedOverHTTP2(end: .http2GoAway, HTTP2StreamEndRuleTests.h2(goAway: "NO_ERROR"))),
                expected: .http2GoAway),
            .init(name: "fleet cut at one instant, reconnects fine", input: fleetInput(FleetFixture.reload), expected: .reloadDrain),
            .init(
                name: "2 of 8 fleet connections closed 1011, the rest held",
                input: fleetInput(
                    FleetObservation(
                        requested: 8, holdMs: 10_000, rampMs: 1600, pingIntervalMs: 1000,
                        connections: (0..<8).map {
                            $0 % 4 == 1
                                ? FleetFixture.ended(FleetFixture.connection($0), at: 900 + Double($0) * 700, code: 1011)
                                : FleetFixture.connection($0)
                        })),
                expected: .badInstance),
            .init(
                name: "server closes 1000 at the pinged probe's age",
                input: .init(
                    transcript: Fixture.opened(openAt: 100).receivingClose(1000, "", at: 10_100),
                    measurements: Measurements(
                        lifetimeMs: 10_000, lifetimeProbeMs: 20_000,
                        lifetimeTranscript: Fixture.opened(openAt: 100).receivingClose(1000, "", at: 10_100))),
                expected: .applicationConnectionCap),
            .init(
                name: "Tomcat idle timeout 1001",
                input: .init(
                    transcript: Fixture.opened(openAt: 100).receivingClose(
                        1001, "The WebSocket session [3] idle timeout expired", at: 30_100)),
                expected: .applicationIdleTimeout),
            .init(
                name: "Action Cable disconnect message",
                input: .init(
                    transcript: Fixture.opened(frames: [
                        inbound("text", at: 4000, preview: #"{"type":"disconnect","reason":"kicked","reconnect":true}"#)
                    ])
                    .receivingClose(1000, "", at: 4010)),
                expected: .applicationDisconnect),
            .init(
                name: "unexplained server 1000", input: .init(transcript: Fixture.opened().receivingClose(1000, "bye", at: 9000)),
                expected: .unrequestedClose),
            .init(
                name: "1008 right after a message, long after open",
                input: .init(transcript: Fixture.opened(frames: [outbound("text", at: 60_000)]).receivingClose(1008, "", at: 60_020)),
                expected: .policyViolation),
            .init(
                name: "gorilla CheckOrigin 403",
                input: .init(transcript: Fixture.rejected(403, body: "websocket: request origin not allowed by Upgrader.CheckOrigin")),
                expected: .originRejected),
            // Integration, client, outcome
            .init(
                name: "1011 only through the front",
                input: .init(transcript: welcomeThenMessage.receivingClose(1011, "Internal error", at: 410), direct: directOK),
                expected: .appFailureBehindFront),
            .init(name: "our pings unanswered", input: .init(transcript: unansweredPings), expected: .clientKeepaliveTimeout),
            .init(
                name: "all events, clean close",
                input: .init(transcript: Fixture.opened().sendingClose(1000, at: 900, answered: true), expectations: allEvents),
                expected: .healthy),
            .init(
                name: "SIGINT during the ping step",
                input: .init(
                    transcript: Fixture.opened(),
                    steps: [
                        ProbeStep(name: .upgrade, status: .passed, detail: "101"),
                        ProbeStep(name: .ping, status: .skipped, detail: "interrupted: interrupted by SIGINT (Ctrl-C) during this step"),
                    ],
                    interruption: Interruption(
                        by: "SIGINT", detail: "interrupted by SIGINT (Ctrl-C)", during: "ping", mainAttemptInterrupted: true)),
                expected: .interrupted),
            .init(
                name: "redirect",
                input: .init(transcript: Fixture.rejected(301, headers: [HeaderField("Location", "https://other.example.test/ws")])),
                expected: .inconclusive),
        ]
        return samples
    }
}
