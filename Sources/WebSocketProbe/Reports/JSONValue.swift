import Foundation

/// A JSON document as a tree, so the report's numbers can be rounded to what they mean before it is written.
enum JSONValue: Codable, Equatable {
    case null
    case bool(Bool)
    case int(Int)
    case double(Double)
    case string(String)
    case array([JSONValue])
    case object([String: JSONValue])

    init(from decoder: any Decoder) throws {
        let c = try decoder.singleValueContainer()
        if c.decodeNil() {
            self = .null
        } else if let b = try? c.decode(Bool.self) {
            self = .bool(b)
        } else if let i = try? c.decode(Int.self) {
            self = .int(i)
        } else if let d = try? c.decode(Double.self) {
            self = .double(d)
        } else if let s = try? c.decode(String.self) {
            self = .string(s)
        } else if let a = try? c.decode([JSONValue].self) {
            self = .array(a)
        } else {
            self = .object(try c.decode([String: JSONValue].self))
        }
    }

    func encode(to encoder: any Encoder) throws {
        var c = encoder.singleValueContainer()
        switch self {
        case .null: try c.encodeNil()
        case .bool(let b): try c.encode(b)
        case .int(let i): try c.encode(i)
        case .double(let d): try c.encode(d)
        case .string(let s): try c.encode(s)
        case .array(let a): try c.encode(a)
        case .object(let o): try c.encode(o)
        }
    }

    /// The same tree with every number under a key that `step` names rounded to that step
    /// (`step("rttMs") == 0.1`); a whole result is written as an integer.
    func rounded(_ step: (String) -> Double?) -> JSONValue {
        switch self {
        case .array(let a):
            return .array(a.map { $0.rounded(step) })
        case .object(let o):
            var out: [String: JSONValue] = [:]
            for (key, value) in o {
                if case .double(let d) = value, d.isFinite, let s = step(key) {
                    let r = (d / s).rounded() * s
                    // 12.300000000000001 → 12.3: format at the step's precision and read it back.
                    let digits = max(0, Int((-log10(s)).rounded(.up)))
                    let text = String(format: "%.\(digits)f", r)
                    let value = Double(text) ?? r
                    out[key] = value == value.rounded() && abs(value) < 1e15 ? .int(Int(value)) : .double(value)
                } else {
                    out[key] = value.rounded(step)
                }
            }
            return .object(out)
        default:
            return self
        }
    }
}
