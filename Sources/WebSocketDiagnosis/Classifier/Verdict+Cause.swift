extension Verdict {
    /// A verdict whose layer is the one named by `cause` (`tls.expired-certificate` → `.tls`).
    ///
    /// - Parameter confidence: clamped to 0…1 and rounded to two decimals.
    public init(cause: CauseID, confidence: Double, summary: String, evidence: [Evidence], next: [NextStep] = []) {
        self.init(
            layer: cause.layer, cause: cause, confidence: Verdict.normalized(confidence), summary: summary,
            evidence: evidence, next: next)
    }

    /// `value` clamped to 0…1 and rounded to two decimals.
    static func normalized(_ value: Double) -> Double {
        (min(1, max(0, value)) * 100).rounded() / 100
    }

    /// A copy with `delta` added to the confidence (kept in ``Confidence/adjustedRange``: never certain, never nothing).
    func adjustingConfidence(by delta: Double) -> Verdict {
        var copy = self
        copy.confidence = Verdict.normalized(
            min(Confidence.adjustedRange.upperBound, max(Confidence.adjustedRange.lowerBound, confidence + delta)))
        return copy
    }

    /// A copy for a record that cannot show who ended the connection (a HAR keeps no close frames): a reading
    /// that rests on the timing alone is one contradiction (``Confidence/Step/contradicted``) less sure.
    public func enderUnobserved() -> Verdict { adjustingConfidence(by: Confidence.Step.contradicted) }

    /// A copy with `steps` added to what to run next.
    func advising(_ steps: NextStep...) -> Verdict { advising(steps) }

    /// A copy with `steps` added to what to run next.
    func advising(_ steps: [NextStep]) -> Verdict {
        var copy = self
        copy.next += steps
        return copy
    }

    /// A copy with more evidence appended.
    func adding(_ more: [Evidence]) -> Verdict {
        var copy = self
        copy.evidence += more
        return copy
    }
}
