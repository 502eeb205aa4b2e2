import Foundation
import WebSocketDiagnosis

/// A fault named on a command line or in a scenario: `NAME[:k=v,k=v…]`.
///
/// Examples: `idle-timeout:after=2s`, `'inject-close:code=1011,reason=Internal error,after=1s'`,
/// `drop-pongs`. Values may not contain commas; everything after the first `=` is the value.
public struct FaultSpec: Sendable, Equatable, Codable, CustomStringConvertible {
    public var name: String
    public var parameters: [String: String]

    public init(name: String, parameters: [String: String] = [:]) {
        self.name = name
        self.parameters = parameters
    }

    /// Parses `NAME[:k=v,…]`.
    public init(parsing text: String) throws(FaultSpecError) {
        let trimmed = text.trimmingCharacters(in: .whitespaces)
        let (namePart, rest): (Substring, Substring?) = {
            if let colon = trimmed.firstIndex(of: ":") {
                return (trimmed[..<colon], trimmed[trimmed.index(after: colon)...])
            }
            return (Substring(trimmed), nil)
        }()
        let name = namePart.trimmingCharacters(in: .whitespaces)
        guard !name.isEmpty, name.allSatisfy({ $0.isLetter || $0.isNumber || $0 == "-" || $0 == "_" }) else {
            throw FaultSpecError(spec: text, message: "a fault is written NAME[:key=value,…], e.g. idle-timeout:after=2s")
        }
        var parameters: [String: String] = [:]
        if let rest, !rest.isEmpty {
            for pair in rest.split(separator: ",", omittingEmptySubsequences: true) {
                guard let eq = pair.firstIndex(of: "=") else {
                    throw FaultSpecError(spec: text, message: "parameter '\(pair)' has no value: write key=value")
                }
                let key = pair[..<eq].trimmingCharacters(in: .whitespaces)
                let value = String(pair[pair.index(after: eq)...])
                guard !key.isEmpty else { throw FaultSpecError(spec: text, message: "a parameter has an empty name") }
                guard parameters[key] == nil else {
                    throw FaultSpecError(spec: text, message: "parameter '\(key)' is given twice")
                }
                parameters[key] = value
            }
        }
        self.name = name
        self.parameters = parameters
    }

    /// Parameters whose values are secrets (`secret-mismatch:secret=…`): masked in ``description`` and in
    /// every error message, kept in ``text``.
    public static let secretParameters: Set<String> = ["secret", "token", "password"]

    /// The spec as written, secrets included: for round trips (scenario files), never for printing.
    public var text: String {
        parameters.isEmpty
            ? name : name + ":" + parameters.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: ",")
    }

    /// The spec for people and logs, with secret parameter values masked.
    public var description: String {
        parameters.isEmpty
            ? name
            : name + ":"
                + parameters.sorted { $0.key < $1.key }.map {
                    "\($0.key)=\(Self.secretParameters.contains($0.key.lowercased()) ? "<redacted>" : $0.value)"
                }.joined(separator: ",")
    }

    /// `text` with the values of secret parameters masked, for specs that did not even parse.
    static func redacting(_ text: String) -> String {
        var out: [String] = []
        for part in text.split(separator: ",", omittingEmptySubsequences: false) {
            let piece = String(part)
            guard let eq = piece.firstIndex(of: "=") else {
                out.append(piece)
                continue
            }
            let key = piece[..<eq].split(separator: ":").last.map(String.init)?.trimmingCharacters(in: .whitespaces).lowercased() ?? ""
            out.append(secretParameters.contains(key) ? String(piece[...eq]) + "<redacted>" : piece)
        }
        return out.joined(separator: ",")
    }

    // MARK: - Typed access

    /// A duration parameter (`after=2s`), or `defaultValue` when absent.
    public func duration(_ key: String, default defaultValue: Duration? = nil) throws(FaultSpecError) -> Duration {
        guard let raw = parameters[key] else {
            if let defaultValue { return defaultValue }
            throw missing(key, example: "\(key)=2s")
        }
        guard let d = DurationText.parse(raw) else {
            throw FaultSpecError(spec: description, message: DurationText.syntaxHelp(raw, option: "'\(key)'"))
        }
        return d
    }

    /// An integer parameter, optionally bounded.
    public func int(_ key: String, default defaultValue: Int? = nil, in range: ClosedRange<Int>? = nil) throws(FaultSpecError) -> Int {
        guard let raw = parameters[key] else {
            if let defaultValue { return defaultValue }
            throw missing(key, example: "\(key)=1")
        }
        guard let v = Int(raw.trimmingCharacters(in: .whitespaces)) else {
            throw FaultSpecError(spec: description, message: "'\(key)' must be a whole number, got '\(raw)'")
        }
        if let range, !range.contains(v) {
            throw FaultSpecError(
                spec: description, message: "'\(key)' must be between \(range.lowerBound) and \(range.upperBound), got \(v)")
        }
        return v
    }

    /// A number parameter (`probability=0.5`), optionally bounded.
    public func double(_ key: String, default defaultValue: Double? = nil, in range: ClosedRange<Double>? = nil) throws(FaultSpecError)
        -> Double
    {
        guard let raw = parameters[key] else {
            if let defaultValue { return defaultValue }
            throw missing(key, example: "\(key)=0.5")
        }
        guard let v = Double(raw.trimmingCharacters(in: .whitespaces)), v.isFinite else {
            throw FaultSpecError(spec: description, message: "'\(key)' must be a number, got '\(raw)'")
        }
        if let range, !range.contains(v) {
            throw FaultSpecError(
                spec: description, message: "'\(key)' must be between \(range.lowerBound) and \(range.upperBound), got \(v)")
        }
        return v
    }

    /// A string parameter.
    public func string(_ key: String, default defaultValue: String? = nil) throws(FaultSpecError) -> String {
        if let raw = parameters[key] { return raw }
        if let defaultValue { return defaultValue }
        throw missing(key, example: "\(key)=…")
    }

    /// A boolean parameter (`true/false/yes/no/1/0`).
    public func bool(_ key: String, default defaultValue: Bool) throws(FaultSpecError) -> Bool {
        guard let raw = parameters[key]?.lowercased() else { return defaultValue }
        switch raw {
        case "true", "yes", "1", "on": return true
        case "false", "no", "0", "off": return false
        default: throw FaultSpecError(spec: description, message: "'\(key)' must be true or false, got '\(raw)'")
        }
    }

    /// Throws when a parameter not in `known` is given (typos must not be silently ignored).
    public func rejectUnknownParameters(_ known: Set<String>) throws(FaultSpecError) {
        let unknown = Set(parameters.keys).subtracting(known)
        guard unknown.isEmpty else {
            let valid = known.isEmpty ? "it takes no parameters" : "valid: " + known.sorted().joined(separator: ", ")
            throw FaultSpecError(spec: description, message: "unknown parameter(s) \(unknown.sorted().joined(separator: ", ")) — \(valid)")
        }
    }

    private func missing(_ key: String, example: String) -> FaultSpecError {
        FaultSpecError(spec: description, message: "missing parameter '\(key)', e.g. \(name):\(example)")
    }
}

/// A malformed fault specification; `description` names the spec and what to fix.
public struct FaultSpecError: Error, CustomStringConvertible, Sendable, Equatable {
    public var spec: String
    public var message: String
    /// `spec` is masked here (``FaultSpec/secretParameters``), so no error message can carry a secret.
    public init(spec: String, message: String) {
        self.spec = FaultSpec.redacting(spec)
        self.message = message
    }
    public var description: String { "fault '\(spec)': \(message)" }
}
