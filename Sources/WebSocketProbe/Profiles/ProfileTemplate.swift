import Foundation
import WebSocketDiagnosis

/// Fills a profile's templates: `{token}` (the token as given), `{token:base64url}` (base64url without
/// padding), `{random}` (a fresh number, so that an echo is recognisable).
public enum ProfileTemplate {
    /// The placeholders a template may use.
    public static let placeholders = ["{token}", "{token:base64url}", "{random}"]

    /// `template` with its placeholders filled; `jsonString` escapes the values for use inside a JSON string.
    /// A template that needs a token is filled with an empty one when there is none.
    public static func render(
        _ template: String, token: String?, random: UInt32 = UInt32.random(in: 0...UInt32.max), jsonString: Bool = false
    )
        -> String
    {
        func escaped(_ value: String) -> String {
            guard jsonString else { return value }
            var out = ""
            for scalar in value.unicodeScalars {
                switch scalar {
                case "\"": out += "\\\""
                case "\\": out += "\\\\"
                case _ where scalar.value < 0x20: out += String(format: "\\u%04x", scalar.value)
                default: out.unicodeScalars.append(scalar)
                }
            }
            return out
        }
        let token = token ?? ""
        return
            template
            .replacingOccurrences(of: "{token:base64url}", with: escaped(Redactor.base64url(token)))
            .replacingOccurrences(of: "{token}", with: escaped(token))
            .replacingOccurrences(of: "{random}", with: String(random))
    }

    /// Whether `template` carries the token.
    public static func carriesToken(_ template: String) -> Bool { template.contains("{token}") || template.contains("{token:base64url}") }

    /// The placeholders-like `{…}` parts of `template` that are not placeholders (a typo such as `{tokn}`).
    public static func unknownPlaceholders(_ template: String) -> [String] {
        var found: [String] = []
        var rest = Substring(template)
        while let open = rest.firstIndex(of: "{") {
            guard let close = rest[open...].firstIndex(of: "}") else { break }
            let candidate = String(rest[open...close])
            let inner = candidate.dropFirst().dropLast()
            // JSON objects inside a payload template are not placeholders: only `{word}` / `{word:word}` count.
            if !inner.isEmpty, inner.allSatisfy({ $0.isLetter || $0.isNumber || $0 == ":" || $0 == "_" }), !placeholders.contains(candidate)
            {
                found.append(candidate)
            }
            rest = rest[rest.index(after: open)...]
        }
        return found
    }
}
