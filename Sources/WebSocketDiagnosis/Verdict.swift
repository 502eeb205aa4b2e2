/// The layer a failure comes from.
public enum Layer: String, Codable, Sendable, CaseIterable {
    case network
    case tls
    case infrastructure
    case application
    /// The application failed because of what the front changed (a stripped header).
    case integration
    case client
    case healthy
    case inconclusive
}

/// A stable cause identifier (`infrastructure.lifetime-cap`), part of the JSON contract.
public struct CauseID: RawRepresentable, Codable, Sendable, Hashable, CustomStringConvertible, ExpressibleByStringLiteral {
    public var rawValue: String
    public init(rawValue: String) { self.rawValue = rawValue }
    public init(stringLiteral value: String) { self.rawValue = value }
    public var description: String { rawValue }

    /// The layer named by the id's prefix (`tls.expired-certificate` → `.tls`).
    public var layer: Layer {
        let prefix = rawValue.split(separator: ".", maxSplits: 1).first.map(String.init) ?? rawValue
        return Layer(rawValue: prefix) ?? .inconclusive
    }

    public init(from decoder: any Decoder) throws {
        rawValue = try decoder.singleValueContainer().decode(String.self)
    }
    public func encode(to encoder: any Encoder) throws {
        var c = encoder.singleValueContainer()
        try c.encode(rawValue)
    }
}

/// One observation a verdict rests on, and the rule that used it.
public struct Evidence: Codable, Sendable, Equatable {
    /// The rule (`close-frame-vs-transport-end`, `timing-lifetime-cap`, `handshake-status`, …).
    public var rule: RuleName
    /// The observation, in words a person can check against the transcript.
    public var observation: String

    public init(rule: RuleName, observation: String) {
        self.rule = rule
        self.observation = observation
    }
}

/// The classifier's answer: which layer, which cause, how sure, what to do, and why.
public struct Verdict: Codable, Sendable, Equatable {
    public var layer: Layer
    public var cause: CauseID
    /// 0…1.
    public var confidence: Double
    /// One line a person can act on, naming no tool: what to run next is ``next``.
    public var summary: String
    public var evidence: [Evidence]
    /// What to run next, as data; a renderer words it (``summary(wordedBy:)``). Not a field of the JSON
    /// contract: the encoded `summary` carries the words, and a decoded verdict has no steps left.
    public var next: [NextStep]

    public init(layer: Layer, cause: CauseID, confidence: Double, summary: String, evidence: [Evidence], next: [NextStep] = []) {
        self.layer = layer
        self.cause = cause
        self.confidence = confidence
        self.summary = summary
        self.evidence = evidence
        self.next = next
    }

    /// The summary followed by the next steps in `wording`'s words: "…; rerun with --direct to tell which".
    public func summary(wordedBy wording: some AdviceWording) -> String {
        ([summary] + next.map(wording.clause)).joined(separator: "; ")
    }

    /// A copy whose summary carries the next steps in `wording`'s words, and no steps left as data.
    public func worded(by wording: some AdviceWording) -> Verdict {
        var copy = self
        copy.summary = summary(wordedBy: wording)
        copy.next = []
        return copy
    }

    enum CodingKeys: String, CodingKey { case layer, cause, confidence, summary, evidence }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        layer = try c.decode(Layer.self, forKey: .layer)
        cause = try c.decode(CauseID.self, forKey: .cause)
        confidence = try c.decode(Double.self, forKey: .confidence)
        summary = try c.decode(String.self, forKey: .summary)
        evidence = try c.decode([Evidence].self, forKey: .evidence)
        next = []
    }

    /// Encodes the contract's fields; steps not yet worded by a renderer are written in plain words.
    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(layer, forKey: .layer)
        try c.encode(cause, forKey: .cause)
        try c.encode(confidence, forKey: .confidence)
        try c.encode(summary(wordedBy: PlainAdviceWording()), forKey: .summary)
        try c.encode(evidence, forKey: .evidence)
    }
}
