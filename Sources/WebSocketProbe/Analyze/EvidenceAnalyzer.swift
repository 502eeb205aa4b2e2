import Foundation
import WebSocketDiagnosis

/// Classifies evidence someone else captured (`ws1011 analyze FILE…`) with the same classifier as
/// `diagnose`: a ws1011 JSON report (classified again by the current rules) or a HAR (one verdict per
/// WebSocket entry, limited to what a HAR holds — see ``HARArchive`` — and, when several entries ended,
/// one verdict for the entries together by the clustered-ends rule).
///
/// Pure apart from reading the file: the same bytes always give the same verdicts.
public enum EvidenceAnalyzer {
    /// What one file showed.
    public struct FileAnalysis: Sendable {
        /// `report` or `HAR`.
        public var kind: String
        /// One line about the file (its producer, how many entries).
        public var about: String
        /// One verdict per connection.
        public var connections: [ConnectionAnalysis]
        /// The verdict for the entries together (clustered ends), when one applies.
        public var together: Verdict?
    }

    /// One connection and its verdict.
    public struct ConnectionAnalysis: Sendable {
        /// What it was (`entry 3: ws://…`, or the report's target).
        public var label: String
        /// What the evidence showed, in one line.
        public var observed: String
        public var verdict: Verdict
        /// The verdict the report carried, when the file was a report.
        public var recordedVerdict: Verdict?
    }

    /// Reads and classifies the file at `path`.
    /// - Throws: ``AnalyzeError`` (its message names the problem and the fix).
    public static func analyze(path: String) throws(AnalyzeError) -> FileAnalysis {
        let data: Data
        do { data = try Data(contentsOf: URL(fileURLWithPath: path)) } catch {
            var isDirectory: ObjCBool = false
            let exists = FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory)
            throw AnalyzeError.unreadable(
                !exists ? "no such file" : isDirectory.boolValue ? "it is a directory" : error.localizedDescription)
        }
        return try analyze(data)
    }

    /// Classifies the bytes of a report or a HAR.
    public static func analyze(_ data: Data) throws(AnalyzeError) -> FileAnalysis {
        let object: [String: Any]
        do {
            guard let parsed = try JSONSerialization.jsonObject(with: data) as? [String: Any] else {
                throw AnalyzeError.notHAR("the top level is not an object")
            }
            object = parsed
        } catch let error as AnalyzeError {
            throw error
        } catch {
            throw AnalyzeError.notJSON(data.isEmpty ? "the file is empty" : "a syntax error")
        }
        if let schema = object["schema"] as? String {
            guard schema == DiagnosisReport.schemaID else { throw AnalyzeError.unsupportedSchema(schema) }
            return try report(data)
        }
        return try har(HARArchive(json: object))
    }

    // MARK: - A ws1011 report

    static func report(_ data: Data) throws(AnalyzeError) -> FileAnalysis {
        let decoded: DiagnosisReport
        do { decoded = try JSONReportRenderer.decode(data) } catch {
            throw AnalyzeError.malformedReport(Self.decodingProblem(error))
        }
        // A report may be hand-made or come from another tool: scrubbed as a run's own report is (the target's
        // credentials, the request's headers and subprotocols, JWT-shaped text) before anything is read from it.
        let redactor = Redactor().adding(
            url: decoded.target, headers: decoded.transcript.request?.headers ?? [],
            subprotocols: decoded.transcript.request?.offeredSubprotocols ?? [])
        var report = decoded.redacted(by: redactor)
        report.target = redactor.url(decoded.target)
        var input = ClassificationInput(
            transcript: report.transcript, direct: report.directTranscript, steps: report.steps, directSteps: report.directSteps,
            measurements: report.measurements, authChannels: report.authChannels)
        input.interruption = report.interruption
        input.http2 = report.http2
        input.fleet = report.fleet
        let verdict = FailureClassifier.classify(input)
        let t = report.transcript
        return FileAnalysis(
            kind: "report", about: "a ws1011 report of \(report.target)",
            connections: [
                ConnectionAnalysis(label: report.target, observed: describe(t), verdict: verdict, recordedVerdict: report.verdict)
            ], together: nil)
    }

    /// The path and the problem of a decoding error, without the data.
    static func decodingProblem(_ error: any Error) -> String {
        guard let e = error as? DecodingError else { return "\(error)" }
        func path(_ c: DecodingError.Context) -> String {
            c.codingPath.map { $0.intValue.map { "[\($0)]" } ?? ".\($0.stringValue)" }.joined()
        }
        switch e {
        case .keyNotFound(let key, let c): return "\(path(c)).\(key.stringValue) is missing"
        case .typeMismatch(_, let c), .valueNotFound(_, let c), .dataCorrupted(let c):
            // The description can quote a value from the file: scrubbed like everything printed.
            return "\(path(c).isEmpty ? "the document" : path(c)): \(Redactor().text(c.debugDescription))"
        @unknown default: return "\(e)"
        }
    }

    // MARK: - A HAR

    /// What every verdict from a HAR says about its limits.
    static let harLimit = Evidence(
        rule: RuleName.knownLimit,
        observation:
            "from a HAR: the upgrade, the data messages and their times, and when the entry ended — no pings, pongs or close frames, so whether a close frame came, and from whom, is unknown; the verdict rests on the timing"
    )

    static func har(_ archive: HARArchive) throws(AnalyzeError) -> FileAnalysis {
        guard !archive.entries.isEmpty else { throw AnalyzeError.noWebSocket(entries: archive.totalEntries) }
        let connections = archive.entries.map { entry in
            var verdict = FailureClassifier.classify(
                ClassificationInput(transcript: entry.transcript, expectations: ProbeExpectations(profile: "browser")))
            if entry.transcript.timings.openAtMs != nil, entry.ended, verdict.layer != .healthy {
                // Who ended it is not in a HAR: the timing reading stands, with less certainty.
                verdict = verdict.enderUnobserved()
            }
            verdict.evidence.append(harLimit)
            return ConnectionAnalysis(
                label: "entry \(entry.index): \(entry.transcript.target.url)", observed: describe(entry.transcript), verdict: verdict,
                recordedVerdict: nil)
        }
        let creator = archive.creator.map { " written by \($0)" } ?? ""
        return FileAnalysis(
            kind: "HAR",
            about:
                "a HAR\(creator): \(archive.entries.count) WebSocket entr\(archive.entries.count == 1 ? "y" : "ies") of \(archive.totalEntries)",
            connections: connections, together: together(archive))
    }

    /// The entries seen as one fleet: ends at the same instant at different ages are one event; the new
    /// upgrade a page makes after an end (its reconnect) tells a reload from a restart.
    static func together(_ archive: HARArchive) -> Verdict? {
        let opened = archive.entries.filter { $0.transcript.timings.openAtMs != nil }
        guard opened.count >= 2, let origin = archive.entries.map(\.startedAt).min() else { return nil }
        let offsets = archive.entries.map { $0.startedAt.timeIntervalSince(origin) * 1000 }
        var connections: [FleetConnection] = []
        for (i, entry) in archive.entries.enumerated() {
            let t = entry.transcript
            let start = offsets[i]
            let open = t.timings.openAtMs.map { start + $0 }
            let end = entry.ended ? t.close.atMs.map { start + $0 } : nil
            let outcome: FleetConnection.Outcome = open == nil ? .notOpened : end == nil ? .held : .ended
            var c = FleetConnection(
                index: i + 1, outcome: outcome, startedAtMs: start, openedAtMs: open, endedAtMs: open == nil ? nil : end,
                transportEnd: t.close.transportEnd, handshakeStatus: t.handshake?.status, failure: t.failure?.kind.rawValue)
            if let end, outcome == .ended {
                // The page's reconnect: the first entry to the same URL that started after this end, within 10 s.
                if let next = archive.entries.enumerated().first(where: { j, other in
                    j != i && offsets[j] >= end && offsets[j] - end <= 10_000 && other.transcript.target.url == t.target.url
                }) {
                    if let status = next.element.transcript.handshake?.status {
                        c.reopenStatus = status
                    } else {
                        c.reopenFailure = next.element.transcript.failure?.kind.rawValue ?? "no answer"
                    }
                }
            }
            connections.append(c)
        }
        let hold = connections.compactMap { $0.endedAtMs ?? $0.openedAtMs }.max() ?? 0
        let fleet = FleetObservation(
            requested: connections.count, holdMs: hold, rampMs: offsets.max() ?? 0, pingIntervalMs: nil, connections: connections)
        guard let first = opened.first?.transcript else { return nil }
        var input = ClassificationInput(transcript: first, expectations: ProbeExpectations(profile: "browser"))
        input.fleet = fleet
        let verdict = FailureClassifier.classify(input)
        guard verdict.evidence.contains(where: { $0.rule == "clustered-ends" || $0.rule == "fleet-fraction" }) else { return nil }
        var limited = verdict
        limited.evidence.append(harLimit)
        return limited
    }

    /// One line on what a transcript shows.
    static func describe(_ t: ConnectionTranscript) -> String {
        var parts: [String] = []
        if let status = t.handshake?.status {
            parts.append("HTTP \(status)")
        } else if let f = t.failure {
            parts.append("\(f.stage.rawValue): \(f.kind)")
        }
        if let open = t.timings.openAtMs {
            let inbound = t.frames.filter { $0.direction == .inbound }.count
            parts.append("\(t.frames.count) messages (\(inbound) received)")
            switch t.close.transportEnd {
            case .stillOpen: parts.append("still open at the end of the recording")
            default:
                if let end = t.close.atMs {
                    let lastIn = t.frames.last { $0.direction == .inbound }?.atMs ?? open
                    parts.append(
                        "ended \(String(format: "%.1f", (end - open) / 1000)) s after the open, \(String(format: "%.1f", (end - lastIn) / 1000)) s after the last message received"
                    )
                }
            }
        }
        return parts.joined(separator: "; ")
    }
}
