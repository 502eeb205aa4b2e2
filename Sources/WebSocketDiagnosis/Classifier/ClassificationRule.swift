/// One discriminating rule: looks at a context and either names a cause with evidence or passes.
///
/// Rules are small and independent; ``FailureClassifier`` runs them in a documented priority order
/// and takes the first verdict.
protocol ClassificationRule: Sendable {
    /// Whether the rule already compared the front with the direct run (then the classifier does not
    /// apply the generic direct-versus-front refinement to its verdict).
    var comparesPaths: Bool { get }
    /// A verdict when the rule applies, `nil` otherwise.
    func evaluate(_ context: ClassificationContext) -> Verdict?
}

extension ClassificationRule {
    var comparesPaths: Bool { false }
}
