import Foundation
import WebSocketDiagnosis

/// The WebSocket entries of a HAR file (HTTP Archive 1.2 as Chrome, Firefox and mitmproxy export it), each
/// turned into a ``ConnectionTranscript`` holding what a HAR can tell: the upgrade's status and headers, the
/// data messages with their times (Chrome's `_webSocketMessages`: `type` `send`/`receive`/`error`, `time` in
/// seconds since the epoch, `opcode`, `data`), the failure text, and when the entry ended.
///
/// A HAR holds no pings, pongs or close frames: an entry that ended is recorded as ended by the peer or the
/// path with no close frame seen (``TransportEnd/eof``), so the timing rules (the silence before the end, the
/// age, clustered ends) and the handshake rules apply, and no verdict rests on who closed. Every text the
/// HAR carries (URL query, cookies, `Authorization`, subprotocol entries, message previews) is redacted.
public struct HARArchive: Sendable {
    /// One WebSocket entry.
    public struct Entry: Sendable {
        /// Its position among the file's entries (1-based, every entry counted).
        public var index: Int
        /// What it showed, redacted.
        public var transcript: ConnectionTranscript
        /// When the entry started (from `startedDateTime`).
        public var startedAt: Date
        /// Whether the HAR records when the connection ended.
        public var ended: Bool
        /// How many messages the entry lists.
        public var messages: Int
    }

    /// The WebSocket entries, in file order.
    public var entries: [Entry]
    /// How many entries the file has in all.
    public var totalEntries: Int
    /// The program that wrote the file (`log.creator.name` and version), when given.
    public var creator: String?

    /// Reads a HAR document.
    ///
    /// - Throws: ``AnalyzeError`` naming the problem when the JSON is no HAR (no `log.entries` array) or an
    ///   entry is malformed.
    public init(json object: [String: Any]) throws(AnalyzeError) {
        guard let log = object["log"] as? [String: Any], let list = log["entries"] as? [Any] else {
            throw AnalyzeError.notHAR("it has no log.entries array")
        }
        if let creator = log["creator"] as? [String: Any], let name = creator["name"] as? String {
            self.creator = [name, creator["version"] as? String].compactMap { $0 }.joined(separator: " ")
        }
        totalEntries = list.count
        var found: [Entry] = []
        for (offset, item) in list.enumerated() {
            guard let entry = item as? [String: Any] else { throw AnalyzeError.malformedEntry(offset + 1, "it is not an object") }
            guard Self.isWebSocket(entry) else { continue }
            found.append(try Self.entry(entry, index: offset + 1))
        }
        entries = found
    }

    // MARK: - One entry

    /// Whether a HAR entry is a WebSocket: Chrome's `_resourceType`, its message list, a `ws(s)://` URL or a 101.
    static func isWebSocket(_ entry: [String: Any]) -> Bool {
        if (entry["_resourceType"] as? String)?.lowercased() == "websocket" || entry["_webSocketMessages"] != nil { return true }
        let request = entry["request"] as? [String: Any]
        let url = (request?["url"] as? String)?.lowercased() ?? ""
        if url.hasPrefix("ws://") || url.hasPrefix("wss://") { return true }
        return ((entry["response"] as? [String: Any])?["status"] as? NSNumber)?.intValue == 101
    }

    static func entry(_ e: [String: Any], index: Int) throws(AnalyzeError) -> Entry {
        guard let request = e["request"] as? [String: Any], let rawURL = request["url"] as? String,
            let components = URLComponents(string: rawURL), let host = components.host
        else { throw AnalyzeError.malformedEntry(index, "request.url is missing or not a URL") }
        guard let startedText = e["startedDateTime"] as? String, let started = Self.date(startedText) else {
            throw AnalyzeError.malformedEntry(index, "startedDateTime is missing or not an ISO 8601 date")
        }
        let requestHeaders = Self.headers(request["headers"])
        let offered = requestHeaders.all(named: "Sec-WebSocket-Protocol").flatMap { $0.split(separator: ",") }
            .map { $0.trimmingCharacters(in: .whitespaces) }
        // The handshake's own headers carry no credential (and `Upgrade: websocket` must not become one).
        let handshakeHeaders: Set<String> = [
            "upgrade", "connection", "sec-websocket-key", "sec-websocket-version", "sec-websocket-protocol",
        ]
        let redactor = Redactor().adding(
            url: rawURL, headers: requestHeaders.filter { !handshakeHeaders.contains($0.name.lowercased()) }, subprotocols: offered)

        let scheme = (components.scheme ?? "ws").lowercased()
        let secure = scheme == "wss" || scheme == "https"
        let port = components.port ?? (secure ? 443 : 80)
        let resource =
            (components.percentEncodedPath.isEmpty ? "/" : components.percentEncodedPath)
            + (components.percentEncodedQuery.map { "?" + $0 } ?? "")
        var t = ConnectionTranscript(
            target: TargetDescription(url: rawURL, scheme: secure ? "wss" : "ws", host: host, port: port, resource: resource),
            startedAt: started)
        t.request = HandshakeRequest(
            method: request["method"] as? String ?? "GET", resource: resource, headers: requestHeaders, offeredSubprotocols: offered)

        // Times: `time` and `timings` in milliseconds from the start; messages in seconds since the epoch.
        let response = e["response"] as? [String: Any] ?? [:]
        let status = (response["status"] as? NSNumber)?.intValue ?? 0
        let timings = e["timings"] as? [String: Any] ?? [:]
        let beforeAnswer = ["blocked", "dns", "connect", "send", "wait"].compactMap { (timings[$0] as? NSNumber)?.doubleValue }
            .filter { $0 > 0 }.reduce(0, +)
        let total = (e["time"] as? NSNumber)?.doubleValue ?? 0
        var messages: [(type: String, atMs: Double, opcode: Int, data: String)] = []
        if let list = e["_webSocketMessages"] {
            guard let list = list as? [Any] else { throw AnalyzeError.malformedEntry(index, "_webSocketMessages is not an array") }
            for (n, item) in list.enumerated() {
                guard let m = item as? [String: Any], let type = m["type"] as? String, let time = (m["time"] as? NSNumber)?.doubleValue
                else {
                    throw AnalyzeError.malformedEntry(index, "_webSocketMessages[\(n)] lacks a type or a numeric time")
                }
                messages.append(
                    (
                        type, (time - started.timeIntervalSince1970) * 1000, (m["opcode"] as? NSNumber)?.intValue ?? 1,
                        m["data"] as? String ?? ""
                    ))
            }
        }
        // Tools that write message times on another clock than startedDateTime: anchor the first at the open.
        if let first = messages.map(\.atMs).min(), first < -1000 || first > max(total, 0) + 60_000 {
            let shift = beforeAnswer - first
            messages = messages.map { ($0.type, $0.atMs + shift, $0.opcode, $0.data) }
        }
        messages.sort { $0.atMs < $1.atMs }
        let errors = messages.filter { $0.type == "error" }
        let failureText = (response["_error"] as? String).flatMap { $0.isEmpty ? nil : $0 } ?? errors.first?.data

        var statusSeen = status
        if statusSeen == 0, let text = failureText, let code = Self.unexpectedResponseCode(text) { statusSeen = code }
        if statusSeen > 0 {
            let responseHeaders = Self.headers(response["headers"])
            let content = response["content"] as? [String: Any]
            let body = content?["text"] as? String
            t.handshake = HandshakeObservation(
                status: statusSeen, reasonPhrase: response["statusText"] as? String, httpVersion: response["httpVersion"] as? String,
                headers: responseHeaders, bodyPreview: body.map { String($0.prefix(4096)) }, bodyBytes: body?.utf8.count,
                acceptValid: statusSeen == 101 ? true : nil,
                subprotocol: statusSeen == 101 ? responseHeaders.first(named: "Sec-WebSocket-Protocol") : nil)
            t.timings.responseHeadAtMs = beforeAnswer
        }

        let data = messages.filter { $0.type == "send" || $0.type == "receive" }
        if statusSeen == 101 {
            let open = min(beforeAnswer, data.first?.atMs ?? beforeAnswer)
            t.timings.openAtMs = open
            t.timings.upgradeMs = beforeAnswer
            t.frames = data.map { m in
                let text = m.opcode == 2 ? nil : redactor.text(m.data)
                let length = m.opcode == 2 ? (Data(base64Encoded: m.data)?.count ?? m.data.utf8.count) : m.data.utf8.count
                return FrameRecord(
                    direction: m.type == "send" ? .outbound : .inbound, opcode: Self.opcodeName(m.opcode), length: length,
                    atMs: max(m.atMs, open), preview: text.map { String($0.prefix(64)) })
            }
            t.timings.firstFrameAtMs = t.frames.first { $0.direction == .inbound }?.atMs
            let last = t.frames.last?.atMs ?? open
            // An end after the upgrade and not before the last message; otherwise the entry was saved open.
            if total > beforeAnswer + 1, total + 1 >= last {
                // The HAR says when it ended, not how: the peer or the path, no close frame seen.
                let reset = errors.contains { $0.data.lowercased().contains("reset") }
                t.close = CloseObservation(transportEnd: reset ? .reset : .eof, atMs: max(total, last))
            } else {
                t.close = CloseObservation(transportEnd: .stillOpen, atMs: last)
            }
            if let text = failureText, errors.first.map({ $0.atMs > open }) ?? false {
                t.failure = ProbeFailure(
                    stage: .websocket, kind: text.lowercased().contains("reset") ? .reset : .connectionClosed, detail: text,
                    atMs: errors.first?.atMs)
            }
        } else {
            t.close = CloseObservation(transportEnd: statusSeen > 0 ? .eof : .notConnected, atMs: total > 0 ? total : nil)
            t.failure = Self.failure(status: statusSeen, text: failureText, atMs: total > 0 ? total : beforeAnswer)
        }
        return Entry(
            index: index, transcript: t.redacted(by: redactor), startedAt: started, ended: t.close.transportEnd != .stillOpen,
            messages: data.count)
    }

    /// What failed before the connection opened, from the status and the browser's text.
    static func failure(status: Int, text: String?, atMs: Double) -> ProbeFailure {
        if status > 0 {
            return ProbeFailure(stage: .upgrade, kind: .upgradeRejected, detail: text ?? "HTTP \(status)", atMs: atMs)
        }
        let detail = text ?? "the HAR records no answer to the upgrade"
        let lower = detail.lowercased()
        let (stage, kind): (ProbeStage, ProbeFailureKind) =
            if lower.contains("name_not_resolved") || lower.contains("name_resolution") {
                (.dns, .dnsFailure)
            } else if lower.contains("connection_refused") {
                (.tcp, .connectionRefused)
            } else if lower.contains("timed_out") {
                (.tcp, .connectTimeout)
            } else if lower.contains("cert") || lower.contains("ssl") {
                (.tls, .tlsFailure)
            } else if lower.contains("reset") || lower.contains("closed") {
                (.upgrade, .reset)
            } else {
                (.upgrade, .invalidUpgradeResponse)
            }
        return ProbeFailure(stage: stage, kind: kind, detail: detail, atMs: atMs)
    }

    /// The status in Chrome's `Error during WebSocket handshake: Unexpected response code: 403`.
    static func unexpectedResponseCode(_ text: String) -> Int? {
        guard let range = text.range(of: "Unexpected response code: ") else { return nil }
        return Int(text[range.upperBound...].prefix { $0.isNumber })
    }

    static func opcodeName(_ opcode: Int) -> String {
        switch opcode {
        case 1: "text"
        case 2: "binary"
        case 9: "ping"
        case 10: "pong"
        default: "reserved-0x\(String(opcode, radix: 16))"
        }
    }

    static func headers(_ value: Any?) -> [HeaderField] {
        (value as? [Any] ?? []).compactMap { item in
            guard let h = item as? [String: Any], let name = h["name"] as? String else { return nil }
            return HeaderField(name, h["value"] as? String ?? "")
        }
    }

    /// `startedDateTime`: ISO 8601 with or without fractional seconds.
    static func date(_ text: String) -> Date? {
        let fractional = ISO8601DateFormatter()
        fractional.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        if let d = fractional.date(from: text) { return d }
        return ISO8601DateFormatter().date(from: text)
    }
}
