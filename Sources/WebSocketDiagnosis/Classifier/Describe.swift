import Foundation
import WebSocketWire

/// Formatting of numbers and strings inside evidence and summaries, so every rule words them alike.
enum Describe {
    /// How the lifetime probe pinged, as it was run: "a ping every second", "a ping every 250 ms"; a record
    /// that did not keep the interval (older reports) is not given one it may not have had.
    static func pings(_ m: Measurements?) -> String {
        guard let interval = m?.pingIntervalMs else { return "pings, interval not recorded" }
        if interval == 1000 { return "a ping every second" }
        return interval.truncatingRemainder(dividingBy: 1000) == 0
            ? "a ping every \(Int(interval / 1000)) s" : "a ping every \(ms(interval))"
    }

    /// `30012.4` → `"30012 ms"`.
    static func ms(_ value: Double) -> String { "\(Int(value.rounded())) ms" }

    /// `30012` → `"30 s"`, `1500` → `"1.5 s"`.
    static func seconds(_ value: Double) -> String {
        let s = value / 1000
        if s >= 10 { return "\(Int(s.rounded())) s" }
        return String(format: "%.1f s", s)
    }

    /// A close code and reason: `1011 (internal error) "Internal error"`, or without a reason.
    static func close(code: Int?, reason: String) -> String {
        let c = code.map { CloseCode($0) } ?? .noStatusReceived
        let trimmed = reason.count > 80 ? String(reason.prefix(80)) + "…" : reason
        return trimmed.isEmpty ? "\(c) with an empty reason" : "\(c) \"\(trimmed)\""
    }

    /// An HTTP answer: `HTTP 403 Forbidden (server: nginx; body 9 bytes: "Forbidden")`.
    static func httpAnswer(_ h: HandshakeObservation) -> String {
        var s = "HTTP \(h.status.map(String.init) ?? "?")"
        if let phrase = h.reasonPhrase, !phrase.isEmpty { s += " \(phrase)" }
        var details: [String] = []
        if let server = h.headers.first(named: "server") { details.append("server: \(server)") }
        if let body = h.bodyPreview?.trimmingCharacters(in: .whitespacesAndNewlines), !body.isEmpty {
            let shown = body.count > 80 ? String(body.prefix(80)) + "…" : body
            details.append("body \(h.bodyBytes ?? body.utf8.count) bytes: \"\(shown)\"")
        }
        if !details.isEmpty { s += " (" + details.joined(separator: "; ") + ")" }
        return s
    }
}
