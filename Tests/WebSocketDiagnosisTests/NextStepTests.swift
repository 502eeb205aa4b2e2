import Foundation
import Testing

@testable import WebSocketDiagnosis

/// Advice is data: the classifier names what to run next as a ``NextStep``, never a flag of one front end.
@Suite("Next steps are data, not flags")
struct NextStepTests {
    @Test(arguments: CauseSamples.all)
    func noVerdictSummaryNamesACommandLineFlag(_ sample: CauseSample) {
        let v = FailureClassifier.classify(sample.input)
        #expect(!v.summary.contains("--"), "\(sample.name): \(v.summary)")
        for step in v.next { #expect(!step.purpose.contains("--"), "\(sample.name): \(step.purpose)") }
    }

    @Test func anUnansweredUpgradeAsksForTheDirectComparisonAsAStep() {
        let t = Fixture.failed(.upgrade, "handshake-timeout", "no response head within 10000 ms", atMs: 10_070)
        let v = FailureClassifier.classify(ClassificationInput(transcript: t))
        #expect(v.next == [.compareDirect("to tell which")])
    }

    @Test func aRunThatWentDirectIsNotToldToGoDirect() {
        let t = Fixture.failed(.upgrade, "handshake-timeout", "no response head within 10000 ms", atMs: 10_070)
        let direct = Fixture.failed(.upgrade, "handshake-timeout", "no response head within 10000 ms", atMs: 10_070).asDirect
        let v = FailureClassifier.classify(ClassificationInput(transcript: t, direct: direct))
        #expect(!v.next.contains { $0.action == .compareDirect }, "\(v.next)")
    }

    struct Flags: AdviceWording {
        func words(for action: NextStep.Action) -> String { "use --\(action.rawValue)" }
    }

    @Test func aWordingPutsTheStepsAfterTheSummary() {
        let v = Verdict(
            cause: .inconclusive, confidence: Confidence.lead, summary: "No answer", evidence: [],
            next: [.compareDirect("to tell which"), NextStep(.measureLifetime)])
        #expect(v.summary(wordedBy: Flags()) == "No answer; use --compareDirect to tell which; use --measureLifetime")
        let worded = v.worded(by: Flags())
        #expect(worded.summary == "No answer; use --compareDirect to tell which; use --measureLifetime")
        #expect(worded.next.isEmpty)
    }

    @Test func theJSONSummaryCarriesTheWordsAndADecodedVerdictNoSteps() throws {
        let v = Verdict(cause: .inconclusive, confidence: Confidence.lead, summary: "No answer", evidence: [], next: [.compareDirect()])
        let data = try JSONEncoder().encode(v)
        let object = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
        #expect(Set(object.keys) == ["layer", "cause", "confidence", "summary", "evidence"])
        #expect(object["summary"] as? String == "No answer; probe the backend directly too")
        let decoded = try JSONDecoder().decode(Verdict.self, from: data)
        #expect(decoded.next.isEmpty)
        #expect(decoded.summary == "No answer; probe the backend directly too")
    }
}
