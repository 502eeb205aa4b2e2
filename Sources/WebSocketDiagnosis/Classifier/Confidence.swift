/// How sure a verdict is: the one table the rules take their confidence from.
///
/// A rule picks the level whose meaning matches what it saw, never a number of its own. The ladder
/// runs in steps of 0.05 so that a corroboration (``Step/corroborated``) or a contradiction moves a
/// verdict by whole rungs. ``Verdict/confidence`` carries the number (0…1) into reports; these values
/// are part of the report contract (verdict tests and golden reports pin them).
///
/// | level | value | meaning |
/// |---|---|---|
/// | ``certain`` | 0.95 | the observation is the cause: NXDOMAIN, ECONNREFUSED, our own interruption |
/// | ``confirmed`` | 0.9 | a signature and a second, independent observation that agrees (the direct run, a retry, a measurement) |
/// | ``characteristic`` | 0.85 | a signature few other causes produce (a close code and reason that name it, a product's error page) |
/// | ``strong`` | 0.8 | one clear signature, nothing against it |
/// | ``likely`` | 0.75 | a clear signature with one plausible rival |
/// | ``probable`` | 0.7 | the best reading; rivals not ruled out |
/// | ``plausible`` | 0.65 | fits, with one detail missing (no interval learned, a body that says little) |
/// | ``suggestive`` | 0.6 | fits, but the same observation has other common causes |
/// | ``tentative`` | 0.55 | a fit resting on timing alone |
/// | ``even`` | 0.5 | as likely as not: the named cause and its rivals weigh the same |
/// | ``leaning`` | 0.45 | a hunch the evidence barely supports |
/// | ``weak`` | 0.4 | a guess worth checking first |
/// | ``lead`` | 0.3 | inconclusive, with a lead (the summary says what to run or read next) |
/// | ``faintLead`` | 0.25 | inconclusive; the lead is only where to look |
/// | ``unexplained`` | 0.2 | a step failed in a way no signature explains |
/// | ``nothing`` | 0.1 | no rule fits: the fallback verdict |
enum Confidence {
    // MARK: Verdicts a person can act on

    /// 0.95 — the observation is the cause.
    static let certain = 0.95
    /// 0.9 — a signature and an independent observation that agrees.
    static let confirmed = 0.9
    /// 0.85 — a signature few other causes produce.
    static let characteristic = 0.85
    /// 0.8 — one clear signature, nothing against it.
    static let strong = 0.8
    /// 0.75 — a clear signature with one plausible rival.
    static let likely = 0.75
    /// 0.7 — the best reading; rivals not ruled out.
    static let probable = 0.7
    /// 0.65 — fits, with one detail missing.
    static let plausible = 0.65
    /// 0.6 — fits, but the observation has other common causes.
    static let suggestive = 0.6
    /// 0.55 — a fit resting on timing alone.
    static let tentative = 0.55
    /// 0.5 — as likely as not.
    static let even = 0.5
    /// 0.45 — a hunch the evidence barely supports.
    static let leaning = 0.45
    /// 0.4 — a guess worth checking first.
    static let weak = 0.4

    // MARK: Inconclusive

    /// 0.3 — inconclusive, with a lead.
    static let lead = 0.3
    /// 0.25 — inconclusive; the lead is only where to look.
    static let faintLead = 0.25
    /// 0.2 — a step failed in a way no signature explains.
    static let unexplained = 0.2
    /// 0.1 — no rule fits.
    static let nothing = 0.1

    /// How much a second observation moves a verdict (``Verdict/adjustingConfidence(by:)``).
    enum Step {
        /// +0.1 — the direct run agrees (fails the same way, or passes where the front fails).
        static let corroborated = 0.1
        /// +0.05 — a small extra agreement: the direct run's close matches in timing and sender, or the
        /// direct run outlives the cut the front makes.
        static let agreeing = 0.05
        /// −0.15 — a second observation points elsewhere: the direct run fails differently, or the main
        /// attempt was not refused although a channel was.
        static let contradicted = -0.15
        /// −0.2 — the direct run does not close at all where the front did.
        static let refuted = -0.2
    }

    /// The band ``Verdict/adjustingConfidence(by:)`` keeps a verdict in: never certain, never nothing.
    static let adjustedRange: ClosedRange<Double> = 0.05...0.95
}
