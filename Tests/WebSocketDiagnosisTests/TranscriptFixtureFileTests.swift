import Foundation
import Testing
import WebSocketDiagnosis

@Suite("Fixture transcripts on disk")
struct TranscriptFixtureFileTests {
    @Test func theFixtureFolderHoldsTheRecordedSignatures() {
        #expect(TranscriptFixtureFile.names.count >= 7, "found \(TranscriptFixtureFile.names) in \(FixturePaths.transcripts.path)")
    }

    @Test(arguments: TranscriptFixtureFile.names)
    func eachFixtureTranscriptGetsItsExpectedVerdict(name: String) throws {
        let fixture = try TranscriptFixtureFile.load(name)
        let v = FailureClassifier.classify(fixture.input)
        #expect(v.cause == fixture.expected.cause, "\(name): \(v.summary)")
        #expect(v.layer == fixture.expected.layer)
        #expect(v.confidence >= fixture.expected.minimumConfidence, "\(name): confidence \(v.confidence)")
    }

    @Test func evidenceQuotesTheNumbersFromTheTranscript() throws {
        let v = FailureClassifier.classify(try TranscriptFixtureFile.load("gcp-alb-lifetime-cap-30s.json").input)
        #expect(v.evidence.contains { $0.observation.contains("30012 ms after open with no close frame") })
        #expect(v.evidence.contains { $0.rule == "pings-vs-no-pings" })
        #expect(v.summary.contains("30 s"))
    }

    @Test func aFixtureSurvivesAnEncodeDecodeRoundTrip() throws {
        let fixture = try TranscriptFixtureFile.load("websockets-keepalive-1011.json")
        let data = try JSONEncoder().encode(fixture.transcript)
        #expect(try JSONDecoder().decode(ConnectionTranscript.self, from: data) == fixture.transcript)
    }
}
