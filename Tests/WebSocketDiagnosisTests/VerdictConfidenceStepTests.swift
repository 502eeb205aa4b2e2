import Testing

@testable import WebSocketDiagnosis

/// Moving a verdict's confidence by the table's steps: whole rungs, kept inside the adjusted band.
@Suite("Verdict confidence steps")
struct VerdictConfidenceStepTests {
    static func verdict(_ confidence: Double) -> Verdict {
        Verdict(cause: .idleTimeout, confidence: confidence, summary: "s", evidence: [])
    }

    @Test func anUnobservedEnderIsOneContradictionLessSure() {
        #expect(Self.verdict(Confidence.strong).enderUnobserved().confidence == Confidence.plausible)
        #expect(Self.verdict(Confidence.certain).enderUnobserved().confidence == Confidence.strong)
    }

    @Test func stepsStayInsideTheAdjustedBand() {
        #expect(Self.verdict(Confidence.unexplained).enderUnobserved().confidence == Confidence.adjustedRange.lowerBound)
        #expect(
            Self.verdict(Confidence.certain).adjustingConfidence(by: Confidence.Step.corroborated).confidence
                == Confidence.adjustedRange.upperBound)
        #expect(Self.verdict(Confidence.probable).adjustingConfidence(by: Confidence.Step.agreeing).confidence == Confidence.likely)
    }
}
