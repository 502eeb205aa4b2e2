import Foundation
import Testing
import WebSocketDiagnosis

@testable import WebSocketProbe

@Suite("Probe runner helpers")
struct ProbeHelpersTests {
    @Test func headerTextParsesNameAndTrimmedValue() throws {
        let field = try HeaderFieldText.parse("X-Trace-Id:   abc 123 ")
        #expect(field == HeaderField("X-Trace-Id", "abc 123"))
    }

    @Test(arguments: ["no colon here", ": value", "Bad Name: v", "X: a\r\nInjected: 1"])
    func malformedHeaderIsAUsageError(_ text: String) {
        #expect(throws: ProbeError.self) { try HeaderFieldText.parse(text) }
    }

    @Test func theTargetsOwnOriginIsTheSchemeOfItsPagesWithTheHostAndAnyNonDefaultPort() throws {
        #expect(ProbeRunner.ownOrigin(of: try WebSocketURL(parsing: "wss://api.example.com/ws")) == "https://api.example.com")
        #expect(ProbeRunner.ownOrigin(of: try WebSocketURL(parsing: "ws://127.0.0.1:8080/ws?x=1")) == "http://127.0.0.1:8080")
        #expect(ProbeRunner.ownOrigin(of: try WebSocketURL(parsing: "wss://api.example.com:8443/")) == "https://api.example.com:8443")
    }

    @Test(arguments: ["https://app.example.com", "http://localhost:3000", "null"])
    func anOriginIsSchemeHostAndPort(_ origin: String) throws {
        var plan = ProbePlan(target: try WebSocketURL(parsing: "ws://127.0.0.1:1/"))
        plan.origin = origin
        try plan.validate()
    }

    @Test(arguments: [
        "app.example.com", "https://app.example.com/page", "https://", "https://a b.test", "https://app.test\r\nX: 1",
        "https://user@app.test",
    ])
    func anythingElseGivenAsOriginIsAConfigurationError(_ origin: String) throws {
        var plan = ProbePlan(target: try WebSocketURL(parsing: "ws://127.0.0.1:1/"))
        plan.origin = origin
        #expect(throws: ProbeError.self) { try plan.validate() }
    }

    @Test func theOriginTravelsOnTheUpgradeAndAGivenHeaderWins() throws {
        var plan = ProbePlan(target: try WebSocketURL(parsing: "ws://127.0.0.1:1/"))
        plan.origin = "https://app.example.com"
        let runner = ProbeRunner(plan: plan)
        let configuration = runner.clientConfiguration(url: plan.target, channel: nil, token: nil, redactor: Redactor())
        #expect(configuration.headers.first(named: "Origin") == "https://app.example.com")
        plan.headers = [HeaderField("Origin", "https://other.example.com")]
        let given = ProbeRunner(plan: plan).clientConfiguration(url: plan.target, channel: nil, token: nil, redactor: Redactor())
        #expect(given.headers.filter { $0.name.lowercased() == "origin" }.map(\.value) == ["https://other.example.com"])
    }

    @Test func progressLineShowsElapsedTotalAndWhat() {
        let p = ProbeProgress(activity: "idle-probe", waitingFor: "silent connection up", elapsed: .seconds(12), total: .seconds(60))
        #expect(p.line == "idle-probe  12s / 1m  silent connection up")
    }

    @Test func tokenSourcesExposeTheirSecrets() {
        #expect(TokenSource.literal("abcd1234").secrets == ["abcd1234"])
        #expect(TokenSource.mint(secret: "signing-secret", email: "a@b").secrets == ["signing-secret"])
        #expect(TokenSource.none.secrets.isEmpty)
    }

    @Test func closeSummaryTellsAFrameFromABareEnd() {
        let bare = CloseObservation(transportEnd: .eof, atMs: 2000)
        #expect(bare.probeSummary.contains("no close frame (1006)"))
        let frame = CloseObservation(
            received: CloseFrameInfo(code: 1011, reason: "Internal error", atMs: 10), order: .receivedOnly, transportEnd: .eof, atMs: 11)
        #expect(frame.probeSummary.contains("received close 1011 'Internal error'"))
        #expect(!frame.probeSummary.contains("1006"))
    }
}

@Suite("Probe runner pure parts")
struct ProbeRunnerPureTests {
    @Test func agentEventsMustArriveInOrder() {
        let expected = ProbeRunner.criticalAgentEvents
        #expect(
            ProbeRunner.isInOrder(
                [
                    "connection_established", "agent_started", "agent_thinking", "agent_thinking", "tool_executing", "tool_completed",
                    "agent_completed",
                ], expected))
        #expect(
            !ProbeRunner.isInOrder(["agent_started", "tool_executing", "agent_thinking", "tool_completed", "agent_completed"], expected))
        #expect(!ProbeRunner.isInOrder(["agent_started", "agent_thinking"], expected))
    }

    @Test func subprotocolTokenIsBase64urlWithoutPadding() {
        #expect(ProbeRunner.base64url("a.b?~") == "YS5iP34")
        #expect(!ProbeRunner.base64url("ÿÿÿ>>>").contains(where: { "+/=".contains($0) }))
    }

    @Test func referenceProfileSendsTheTokenBySubprotocolAndOthersByHeader() throws {
        var plan = ProbePlan(target: try WebSocketURL(parsing: "ws://127.0.0.1:1/ws"))
        plan.profile = .reference
        let runner = ProbeRunner(plan: plan)
        let redactor = runner.redactor(token: "tok-123456")
        let reference = runner.clientConfiguration(
            url: plan.target, channel: runner.mainChannel(token: "tok-123456"), token: "tok-123456", redactor: redactor)
        #expect(reference.subprotocols == ["jwt-auth", "jwt." + ProbeRunner.base64url("tok-123456")])
        let query = runner.clientConfiguration(url: plan.target, channel: .query, token: "tok-123456", redactor: redactor)
        #expect(query.url.resource == "/ws?token=tok-123456")
        plan.profile = .plain
        let plain = ProbeRunner(plan: plan)
        let header = plain.clientConfiguration(
            url: plan.target, channel: plain.mainChannel(token: "tok-123456"), token: "tok-123456", redactor: redactor)
        #expect(header.headers.first(named: "Authorization") == "Bearer tok-123456")
        #expect(header.subprotocols.isEmpty)
        #expect(redactor.text("x tok-123456 y") == "x <redacted> y")
    }

    @Test func unreadableCAFileIsAConfigurationError() throws {
        var plan = ProbePlan(target: try WebSocketURL(parsing: "wss://127.0.0.1:1/ws"))
        plan.tls.caFile = "/nonexistent/ca.pem"
        #expect(throws: ProbeError.self) { try plan.validate() }
    }
}
