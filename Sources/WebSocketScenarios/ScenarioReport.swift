/// The JSON document of `ws1011 reproduce --json`: `{"schema": "ws1011.reproduce/1", "scenarios": [{id, matched,
/// expected, observed, …}]}`, checked in as `schemas/ws1011.reproduce-1.schema.json`.
public struct ScenarioReport: Codable, Sendable, Equatable {
    /// The identifier of this document's contract.
    public static let schemaID = "ws1011.reproduce/1"

    /// Always ``schemaID``.
    public var schema: String
    public var scenarios: [ScenarioResult]
    /// Creates a report.
    public init(scenarios: [ScenarioResult]) {
        self.schema = Self.schemaID
        self.scenarios = scenarios
    }
    /// Whether every scenario matched.
    public var allMatched: Bool { scenarios.allSatisfy(\.matched) }

    enum CodingKeys: String, CodingKey { case schema, scenarios }

    /// Decodes a report; a document written before the `schema` field existed reads as ``schemaID``.
    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        schema = try c.decodeIfPresent(String.self, forKey: .schema) ?? Self.schemaID
        scenarios = try c.decode([ScenarioResult].self, forKey: .scenarios)
    }
}
