import WebSocketDiagnosis

/// A duration written as text in a scenario file (`"250ms"`, `"1.5s"`), decoded with ``DurationText``.
public struct ScenarioDuration: Codable, Sendable, Equatable, CustomStringConvertible {
    /// The parsed duration.
    public var duration: Duration

    /// Wraps a duration.
    public init(_ duration: Duration) { self.duration = duration }

    public var description: String { DurationText.format(duration) }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.singleValueContainer()
        let text = try c.decode(String.self)
        guard let d = DurationText.parse(text) else {
            throw DecodingError.dataCorrupted(
                .init(codingPath: decoder.codingPath, debugDescription: DurationText.syntaxHelp(text, option: "this field")))
        }
        duration = d
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.singleValueContainer()
        try c.encode(description)
    }
}
