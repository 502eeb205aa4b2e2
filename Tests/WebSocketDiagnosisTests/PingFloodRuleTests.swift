import Testing

@testable import WebSocketDiagnosis

@Suite("Ping flood rule")
struct PingFloodRuleTests {
    static let floodDetail =
        "more than 100 pings within one second from the peer: answered only the latest ping of each read (RFC 6455 §5.5.3)"

    /// 12,000 pings in, one ping of ours unanswered, the connection still open: the ping step failed.
    func flooded() -> ConnectionTranscript {
        var t = Fixture.opened().finding(.pingFlood, Self.floodDetail, atMs: 130)
        t.frameTotals = [
            FrameTotal(direction: .inbound, opcode: "ping", count: 12_000), FrameTotal(direction: .outbound, opcode: "ping", count: 1),
        ]
        return t
    }

    let pingFailed = [ProbeStep(name: .ping, status: .failed, detail: "no pong within 3s")]

    @Test func aFailedStepDuringAFloodIsThePingFloodWithTheCounts() {
        let v = FailureClassifier.classify(ClassificationInput(transcript: flooded(), steps: pingFailed))
        #expect(v.cause == .pingFlood)
        #expect(v.layer == .application)
        #expect(
            v.evidenceText.contains("frame.ping-flood at 130 ms") && v.evidenceText.contains("12000 pings received"), "\(v.evidenceText)")
        #expect(v.evidenceText.contains("step ping failed: no pong within 3s"))
        #expect(v.summary.contains("step ping") && v.summary.contains("ping interval"), "\(v.summary)")
    }

    @Test func theSameFailureWithoutAFloodStaysUnexplained() {
        let v = FailureClassifier.classify(ClassificationInput(transcript: Fixture.opened(), steps: pingFailed))
        #expect(v.cause == .inconclusive)
    }

    @Test func aFloodOnARunThatPassedIsNotAFailure() {
        let v = FailureClassifier.classify(
            ClassificationInput(transcript: flooded(), steps: [ProbeStep(name: .ping, status: .passed, detail: "pong")]))
        #expect(v.cause != .pingFlood)
    }

    @Test func aCloseCodeExplainsAFailureBeforeTheFlood() {
        let t = flooded().receivingClose(1011, "Internal error", at: 900)
        let v = FailureClassifier.classify(ClassificationInput(transcript: t, steps: pingFailed))
        #expect(v.cause != .pingFlood && v.cause != .inconclusive, "\(v.cause)")
    }
}
