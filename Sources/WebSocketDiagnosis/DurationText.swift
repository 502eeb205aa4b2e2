import Foundation

/// Parses and prints durations the way a person writes them on a command line: `250ms`, `10s`, `1.5s`, `5m`, `1h`.
public enum DurationText {
    /// Parses `text` (`"10s"`, `"250ms"`, `"1.5s"`, `"5m"`, `"1h"`, `"2us"`). A bare number is rejected:
    /// a unit is required so that `--connect-timeout 10` cannot mean ten milliseconds by surprise.
    /// Returns `nil` for anything else, including negative values.
    public static func parse(_ text: String) -> Duration? {
        let s = text.trimmingCharacters(in: .whitespaces).lowercased()
        let units: [(String, Double)] = [("ms", 1e-3), ("us", 1e-6), ("µs", 1e-6), ("ns", 1e-9), ("s", 1), ("m", 60), ("h", 3600)]
        for (unit, scale) in units where s.hasSuffix(unit) {
            let number = String(s.dropLast(unit.count))
            guard !number.isEmpty, number.allSatisfy({ $0.isNumber || $0 == "." }), let value = Double(number),
                value.isFinite, value >= 0, value * scale <= 31_536_000
            else { return nil }
            return .nanoseconds(Int64((value * scale * 1e9).rounded()))
        }
        return nil
    }

    /// The message to show when `parse` fails for option `name`.
    public static func syntaxHelp(_ text: String, option name: String) -> String {
        "invalid duration '\(text)' for \(name): write a number followed by a unit, e.g. 250ms, 10s, 1.5s, 5m"
    }

    /// A short human form: `250ms`, `10s`, `1.5s`, `5m`.
    public static func format(_ duration: Duration) -> String {
        let ms = duration.milliseconds
        if ms < 1000 { return "\(Int(ms.rounded()))ms" }
        let s = ms / 1000
        if s >= 60, s.truncatingRemainder(dividingBy: 60) == 0 { return "\(Int(s / 60))m" }
        if s == s.rounded() { return "\(Int(s))s" }
        return "\((s * 10).rounded() / 10)s"
    }
}

extension Duration {
    /// The duration in milliseconds, as a `Double`.
    public var milliseconds: Double {
        let c = components
        return Double(c.seconds) * 1000 + Double(c.attoseconds) / 1e15
    }
}
