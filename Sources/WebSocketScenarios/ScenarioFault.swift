import WebSocketLab

/// A fault as written in a scenario file: either the command-line form (`"idle-timeout:after=1s"`) or an
/// object (`{"name": "idle-timeout", "parameters": {"after": "1s"}}`; numbers and booleans are accepted as values).
public struct ScenarioFault: Codable, Sendable, Equatable, CustomStringConvertible {
    /// The parsed fault.
    public var spec: FaultSpec

    /// Wraps a parsed spec.
    public init(_ spec: FaultSpec) { self.spec = spec }

    public var description: String { spec.description }

    enum CodingKeys: String, CodingKey, CaseIterable { case name, parameters }

    public init(from decoder: any Decoder) throws {
        if let single = try? decoder.singleValueContainer(), let text = try? single.decode(String.self) {
            do {
                spec = try FaultSpec(parsing: text)
            } catch {
                throw DecodingError.dataCorrupted(.init(codingPath: decoder.codingPath, debugDescription: error.description))
            }
            return
        }
        let c = try decoder.container(keyedBy: CodingKeys.self)
        let name = try c.decode(String.self, forKey: .name)
        var parameters: [String: String] = [:]
        if c.contains(.parameters) {
            let p = try c.nestedContainer(keyedBy: AnyKey.self, forKey: .parameters)
            for key in p.allKeys {
                if let s = try? p.decode(String.self, forKey: key) {
                    parameters[key.stringValue] = s
                } else if let i = try? p.decode(Int.self, forKey: key) {
                    parameters[key.stringValue] = String(i)
                } else if let d = try? p.decode(Double.self, forKey: key) {
                    parameters[key.stringValue] = String(d)
                } else if let b = try? p.decode(Bool.self, forKey: key) {
                    parameters[key.stringValue] = String(b)
                } else {
                    throw DecodingError.typeMismatch(
                        String.self,
                        .init(codingPath: p.codingPath + [key], debugDescription: "a fault parameter must be a string, number or boolean"))
                }
            }
        }
        // Re-parse through the textual form so both spellings obey the same name rules.
        do {
            spec = try FaultSpec(parsing: FaultSpec(name: name, parameters: [:]).description)
            spec.parameters = parameters
        } catch {
            throw DecodingError.dataCorrupted(
                .init(codingPath: decoder.codingPath + [CodingKeys.name], debugDescription: error.description))
        }
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.singleValueContainer()
        try c.encode(spec.text)  // round trip: the file holds what its author wrote
    }
}
