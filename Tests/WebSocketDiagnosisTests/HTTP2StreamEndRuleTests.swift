import Testing

@testable import WebSocketDiagnosis

/// WebSockets run over HTTP/2 (`--http2`) that the HTTP/2 layer ended: RST_STREAM and GOAWAY in place of a
/// close frame, in answer to the extended CONNECT, and a server that offers no WebSockets over HTTP/2.
@Suite("WebSockets over HTTP/2: RST_STREAM and GOAWAY endings (--http2)")
struct HTTP2StreamEndRuleTests {
    static func h2(reset: String? = nil, goAway: String? = nil, status: Int? = 200) -> HTTP2Observation {
        HTTP2Observation(
            outcome: status == 200 ? .works : .fails, alpn: "h2",
            settings: [.init(id: 8, name: "SETTINGS_ENABLE_CONNECT_PROTOCOL", value: 1)],
            extendedConnect: true, status: status, resetCode: reset, goAwayCode: goAway, settingsAtMs: 60, answerAtMs: 118,
            detail: "RST_STREAM or GOAWAY")
    }

    /// A WebSocket over HTTP/2, open at 120 ms, that ended at 5120 ms by `end` with no close frame received.
    static func openedOverHTTP2(end: TransportEnd, sent: CloseFrameInfo? = nil, _ h2: HTTP2Observation) -> ConnectionTranscript {
        var t = Fixture.opened(frames: [
            FrameRecord(direction: .outbound, opcode: "text", fin: true, rsv: 0, length: 5, atMs: 130),
            FrameRecord(direction: .inbound, opcode: "text", fin: true, rsv: 0, length: 5, atMs: 140),
        ])
        t.handshake = HandshakeObservation(status: 200, httpVersion: "HTTP/2")
        t.http2 = h2
        t.close = CloseObservation(sent: sent, transportEnd: end, atMs: 5120)
        t.close.sinceLastInboundMs = 4980
        return t
    }

    @Test func aResetOfTheOpenStreamWithNoCloseFrameIsTheHTTP2Layer() {
        let v = FailureClassifier.classify(
            ClassificationInput(transcript: Self.openedOverHTTP2(end: .http2Reset, Self.h2(reset: "CANCEL"))))
        #expect(v.cause == .http2StreamReset, "\(v.cause): \(v.summary)")
        #expect(v.layer == .infrastructure)
        #expect(v.confidence == Confidence.strong)
        #expect(v.summary.contains("RST_STREAM CANCEL") && v.summary.contains("5000 ms after it opened"))
        #expect(!v.summary.contains("--"), "no CLI flag in a classifier summary: \(v.summary)")
        #expect(
            v.evidence.contains { $0.rule == RuleName.http2StreamEnd && $0.observation.contains("4980 ms after the last inbound frame") })
        #expect(v.next.contains { $0.action == .compareHTTP1 })
    }

    @Test func aResetAnsweringOurOwnCloseIsOnlySuggestive() {
        let sent = CloseFrameInfo(code: 1000, reason: "", atMs: 5000)
        let v = FailureClassifier.classify(
            ClassificationInput(transcript: Self.openedOverHTTP2(end: .http2Reset, sent: sent, Self.h2(reset: "NO_ERROR"))))
        #expect(v.cause == .http2StreamReset)
        #expect(v.confidence == Confidence.suggestive)
    }

    @Test(arguments: [("NO_ERROR", Confidence.likely, "graceful"), ("PROTOCOL_ERROR", Confidence.strong, "connection error")])
    func aGoAwayUnderTheOpenStreamNamesItsCode(_ code: String, _ confidence: Double, _ words: String) {
        let v = FailureClassifier.classify(ClassificationInput(transcript: Self.openedOverHTTP2(end: .http2GoAway, Self.h2(goAway: code))))
        #expect(v.cause == .http2GoAway, "\(v.cause): \(v.summary)")
        #expect(v.confidence == confidence)
        #expect(v.summary.contains(code) && v.summary.contains(words), "\(v.summary)")
    }

    @Test func theSameEndOverHTTP1IsLeftToTheBareEndRule() {
        // Without the transcript's http2 block (an HTTP/1.1 run) the rule does not claim the end.
        var t = Self.openedOverHTTP2(end: .eof, Self.h2())
        t.http2 = nil
        t.handshake = HandshakeObservation(status: 101, httpVersion: "HTTP/1.1", acceptValid: true)
        let v = FailureClassifier.classify(ClassificationInput(transcript: t))
        #expect(v.cause != .http2StreamReset && v.cause != .http2GoAway)
        #expect(!v.evidence.contains { $0.rule == RuleName.http2StreamEnd })
    }

    @Test func aCloseFrameFirstIsTheClosersNotTheHTTP2Layers() {
        var t = Self.openedOverHTTP2(end: .http2Reset, Self.h2(reset: "CANCEL"))
        t.close.received = CloseFrameInfo(code: 1011, reason: "internal error", atMs: 5100)
        let v = FailureClassifier.classify(ClassificationInput(transcript: t))
        #expect(v.cause != .http2StreamReset, "\(v.cause): \(v.summary)")
    }

    @Test(arguments: [
        (ProbeFailureKind.http2StreamReset, String?.some("REFUSED_STREAM"), String?.none), (.http2GoAway, nil, "PROTOCOL_ERROR"),
    ])
    func aResetOrGoAwayAnsweringTheExtendedConnectIsTheBrowserOnlyFailure(_ kind: ProbeFailureKind, _ reset: String?, _ goAway: String?) {
        var t = Fixture.opened()
        t.timings.openAtMs = nil
        t.handshake = nil
        t.http2 = Self.h2(reset: reset, goAway: goAway, status: nil)
        t.failure = ProbeFailure(stage: .upgrade, kind: kind, detail: "refused", atMs: 80)
        t.close = CloseObservation(transportEnd: kind == .http2StreamReset ? .http2Reset : .http2GoAway, atMs: 81)
        let v = FailureClassifier.classify(ClassificationInput(transcript: t))
        #expect(v.cause == .http2WebSocketBroken, "\(v.cause): \(v.summary)")
        #expect(v.summary.contains("Chrome and Firefox will fail with 1006") && v.summary.contains("CLI clients"))
        #expect(v.summary.contains(reset ?? goAway ?? "-"))
        #expect(v.next.contains { $0.action == .compareHTTP1 })
    }

    @Test(arguments: [ProbeFailureKind.http2NotNegotiated, .http2NoExtendedConnect])
    func aServerOfferingNoWebSocketsOverHTTP2IsInconclusiveWithALead(_ kind: ProbeFailureKind) {
        var t = Fixture.opened()
        t.timings.openAtMs = nil
        t.handshake = nil
        t.http2 = HTTP2Observation(outcome: .noExtendedConnect, alpn: "h2", detail: "not advertised")
        t.failure = ProbeFailure(stage: .upgrade, kind: kind, detail: "not offered", atMs: 80)
        t.close = CloseObservation(transportEnd: .localClose, atMs: 81)
        let v = FailureClassifier.classify(ClassificationInput(transcript: t))
        #expect(v.cause == .inconclusive, "\(v.cause): \(v.summary)")
        #expect(v.summary.contains("browsers open this WebSocket over HTTP/1.1"))
        #expect(v.next == [NextStep(.compareHTTP1)])
    }

    @Test func aHealthyRunOverHTTP2SaysSo() {
        var t = Self.openedOverHTTP2(end: .stillOpen, Self.h2())
        t.close = CloseObservation(transportEnd: .stillOpen, atMs: 1000)
        let v = FailureClassifier.classify(ClassificationInput(transcript: t))
        #expect(v.cause == .healthy, "\(v.cause): \(v.summary)")
        #expect(v.evidence.first?.observation.hasPrefix("upgrade 200 over HTTP/2") == true, "\(v.evidence)")
    }
}
