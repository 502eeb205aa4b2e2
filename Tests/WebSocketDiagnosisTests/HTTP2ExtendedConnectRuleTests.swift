import Testing

@testable import WebSocketDiagnosis

@Suite("WebSockets over HTTP/2: the browser-only failure")
struct HTTP2ExtendedConnectRuleTests {
    static func observation(_ outcome: HTTP2Observation.Outcome, status: Int? = nil, reset: String? = nil) -> HTTP2Observation {
        HTTP2Observation(
            outcome: outcome, alpn: "h2", settings: [.init(id: 8, name: "SETTINGS_ENABLE_CONNECT_PROTOCOL", value: 1)],
            extendedConnect: outcome != .noExtendedConnect, status: status, resetCode: reset, failedAtMs: outcome == .fails ? 40 : nil,
            detail: "the extended CONNECT was answered \(status.map(String.init) ?? "-")")
    }

    static func input(_ transcript: ConnectionTranscript, _ h2: HTTP2Observation?, steps: [ProbeStep] = []) -> ClassificationInput {
        var input = ClassificationInput(transcript: transcript, steps: steps + (h2.map { [$0.step] } ?? []))
        input.http2 = h2
        return input
    }

    @Test(arguments: [(Int?.some(501), String?.none), (nil, "CONNECT_ERROR"), (403, nil)])
    func advertisedButFailingWhileHTTP1WorksIsTheBrowserOnlyFailure(_ status: Int?, _ reset: String?) {
        let v = FailureClassifier.classify(Self.input(Fixture.opened(), Self.observation(.fails, status: status, reset: reset)))
        #expect(v.cause == .http2WebSocketBroken, "\(v.summary)")
        #expect(v.layer == .infrastructure)
        #expect(v.summary.contains("Chrome and Firefox will fail with 1006"))
        #expect(v.summary.contains("SETTINGS_ENABLE_CONNECT_PROTOCOL"))
        #expect(v.evidence.contains { $0.rule == "http2-extended-connect" })
        #expect(v.evidence.contains { $0.observation.contains("HTTP/1.1 opened") })
    }

    @Test func anUnansweredFirstMessageOverAnOpenStreamIsTheBrowserOnlyFailureWithThatEvidence() {
        var h2 = Self.observation(.fails, status: 200)
        h2.pingRttMs = 3
        h2.messageSent = "ping"
        h2.messageAnswered = false
        h2.detail = "no answer to the profile's first message (ping) after the stream opened and the ping was answered within 5s"
        let passed = ProbeStep(name: .messages, status: .passed, detail: "ping → pong")
        let v = FailureClassifier.classify(Self.input(Fixture.opened(), h2, steps: [passed]))
        #expect(v.cause == .http2WebSocketBroken, "\(v.summary)")
        #expect(v.confidence == Confidence.probable, "a 200 that then carries nothing is not a deliberate refusal")
        #expect(
            v.evidence.contains { $0.observation.contains("the profile's first message (ping) was not (over HTTP/1.1: ping → pong)") },
            "\(v.evidence)")
        // Answered: nothing about the message in the evidence of a failure that came before it.
        let refused = FailureClassifier.classify(Self.input(Fixture.opened(), Self.observation(.fails, status: 501), steps: [passed]))
        #expect(refused.confidence == Confidence.characteristic)
        #expect(!refused.evidence.contains { $0.observation.contains("first message") })
    }

    @Test func workingOrAbsentHTTP2WebSocketsAreHealthy() {
        for outcome in [HTTP2Observation.Outcome.works, .notOffered, .noExtendedConnect, .unchecked] {
            let v = FailureClassifier.classify(
                Self.input(Fixture.opened(), Self.observation(outcome, status: outcome == .works ? 200 : nil)))
            #expect(v.cause == .healthy, "\(outcome): \(v.summary)")
        }
    }

    @Test func aFailureOverHTTP1IsNamedFirst() {
        // The HTTP/1.1 upgrade is refused too: that refusal is what to fix first, not the h2 advertisement.
        let v = FailureClassifier.classify(Self.input(Fixture.rejected(403), Self.observation(.fails, status: 403)))
        #expect(v.cause != .http2WebSocketBroken, "\(v.cause): \(v.summary)")
        let tls = FailureClassifier.classify(Self.input(Fixture.tlsFailed(.expired), Self.observation(.fails, status: 501)))
        #expect(tls.cause == .expiredCertificate)
    }

    @Test func aFailedHTTP1StepKeepsTheRuleOut() {
        let failed = ProbeStep(name: .messages, status: .failed, detail: "no echo within 5 s")
        let v = HTTP2ExtendedConnectRule().evaluate(
            ClassificationContext(
                input: Self.input(Fixture.opened(), Self.observation(.fails, status: 501), steps: [failed]),
                thresholds: ClassifierThresholds()))
        #expect(v == nil)
    }

    @Test func theObservationIsScrubbedAtTheReportBoundary() {
        var o = Self.observation(.fails, status: 401)
        o.headers = [HeaderField("www-authenticate", "Bearer error=\"invalid_token\" token=s3cr3t-t0ken-value")]
        o.detail = "answered 401 for s3cr3t-t0ken-value"
        o.subprotocol = "jwt.s3cr3t-t0ken-value"
        var report = DiagnosisReport(
            target: "wss://x.test/", verdict: FailureClassifier.classify(Self.input(Fixture.opened(), o)), steps: [],
            transcript: Fixture.opened())
        report.http2 = o
        let scrubbed = report.redacted(by: Redactor().adding(secrets: ["s3cr3t-t0ken-value"])).http2
        #expect(scrubbed?.detail.contains("s3cr3t") == false)
        #expect(scrubbed?.headers?.allSatisfy { !$0.value.contains("s3cr3t") } == true)
        #expect(scrubbed?.subprotocol?.contains("s3cr3t") == false)
    }
}
