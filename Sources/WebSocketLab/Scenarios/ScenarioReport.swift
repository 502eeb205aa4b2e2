/// The JSON document of `ws1011 reproduce --json`: `{"scenarios": [{id, matched, expected, observed, …}]}`.
public struct ScenarioReport: Codable, Sendable, Equatable {
    public var scenarios: [ScenarioResult]
    /// Creates a report.
    public init(scenarios: [ScenarioResult]) { self.scenarios = scenarios }
    /// Whether every scenario matched.
    public var allMatched: Bool { scenarios.allSatisfy(\.matched) }
}
