/// Why the admin API does not serve a request: an HTTP status and a sentence naming the problem and the fix.
public struct AdminRefusal: Error, Sendable, Equatable, CustomStringConvertible {
    /// The 4xx status (400, 401, 403, 404, 405, 413, 415).
    public var status: Int
    /// What is wrong and how to fix it (never contains a secret).
    public var message: String

    public init(status: Int, message: String) {
        self.status = status
        self.message = message
    }

    public var description: String { "\(status): \(message)" }

    /// Request text quoted in a message: at most `limit` characters, control characters made visible.
    public static func quoted(_ text: String, limit: Int) -> String {
        var out = ""
        for scalar in text.unicodeScalars.prefix(limit) {
            if scalar.value < 0x20 || (0x7F...0x9F).contains(scalar.value) {
                out += "\\u{" + String(scalar.value, radix: 16) + "}"
            } else {
                out.unicodeScalars.append(scalar)
            }
        }
        return "'" + out + (text.unicodeScalars.count > limit ? "…" : "") + "'"
    }
}
