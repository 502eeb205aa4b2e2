import WebSocketDiagnosis

/// What a scenario must produce: the signature the client observes and the classifier's verdict.
public struct ScenarioExpectation: Codable, Sendable, Equatable {
    public var signature: ExpectedSignature
    public var verdict: ExpectedVerdict

    /// Creates an expectation.
    public init(signature: ExpectedSignature, verdict: ExpectedVerdict) {
        self.signature = signature
        self.verdict = verdict
    }

    enum CodingKeys: String, CodingKey, CaseIterable { case signature, verdict }
}

/// The verdict a scenario must get from the real classifier.
public struct ExpectedVerdict: Codable, Sendable, Equatable, CustomStringConvertible {
    public var layer: Layer
    public var cause: CauseID

    /// Creates an expected verdict.
    public init(layer: Layer, cause: CauseID) {
        self.layer = layer
        self.cause = cause
    }

    public var description: String { "\(layer.rawValue) / \(cause.rawValue)" }

    enum CodingKeys: String, CodingKey, CaseIterable { case layer, cause }
}
