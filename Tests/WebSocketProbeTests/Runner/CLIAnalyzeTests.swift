import Foundation
import Testing
import WebSocketDiagnosis
import WebSocketProbe

/// `ws1011 analyze FILE…` on files that cannot be analysed (small hand-made files: the real HARs come from
/// Chromium in `AnalyzeHARInteropTests`): exit 2, naming the file and the problem; and a report re-classified.
@Suite("ws1011 analyze: bad input and reports", .serialized)
struct CLIAnalyzeTests {
    func file(_ name: String, _ text: String) throws -> URL {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("ws1011-analyze-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        let url = dir.appendingPathComponent(name)
        try text.write(to: url, atomically: true, encoding: .utf8)
        return url
    }

    @Test(arguments: [
        ("empty.har", "", "it is not JSON (the file is empty)"),
        ("broken.har", "{\"log\": {\"entries\": [", "it is not JSON"),
        ("list.json", "[1, 2]", "the top level is not an object"),
        ("other.json", #"{"hello": "world"}"#, "it has no log.entries array"),
        ("future.json", #"{"schema": "ws1011.report/9"}"#, #"its schema is "ws1011.report/9""#),
        ("partial.json", #"{"schema": "ws1011.report/1", "target": "ws://x"}"#, "does not match schemas/ws1011.report-1.schema.json"),
        (
            "pages.har", #"{"log": {"entries": [{"request": {"url": "https://example.test/"}, "response": {"status": 200}}]}}"#,
            "no WebSocket among them"
        ),
        (
            "bad-entry.har", #"{"log": {"entries": [{"_resourceType": "websocket", "request": {"url": "ws://h/"}}]}}"#,
            "HAR entry 1 is malformed: startedDateTime"
        ),
        (
            "bad-messages.har",
            #"{"log": {"entries": [{"_resourceType": "websocket", "startedDateTime": "2026-11-30T10:00:00.000Z", "request": {"url": "ws://h/"}, "_webSocketMessages": [{"type": "send"}]}]}}"#,
            "_webSocketMessages[0] lacks a type or a numeric time"
        ),
    ])
    func badInputExitsTwoNamingTheFileAndTheProblem(name: String, text: String, problem: String) async throws {
        let url = try file(name, text)
        defer { try? FileManager.default.removeItem(at: url.deletingLastPathComponent()) }
        let r = try await CLITests.run(["analyze", url.path])
        #expect(r.status == 2, "\(r.stderr)")
        #expect(r.stderr.contains(url.path), "\(r.stderr)")
        #expect(r.stderr.contains(problem), "\(r.stderr)")
        #expect(r.stdout.isEmpty, "nothing is printed for a run that cannot read its input: \(r.stdout)")
    }

    @Test func aMissingFileAndNoFileAtAllAreUsageErrors() async throws {
        let missing = try await CLITests.run(["analyze", "/nonexistent/capture.har"])
        #expect(missing.status == 2)
        #expect(missing.stderr.contains("/nonexistent/capture.har: cannot read it (no such file)"), "\(missing.stderr)")
        let none = try await CLITests.run(["analyze"])
        #expect(none.status == 2)
        #expect(none.stderr.contains("give at least one file"), "\(none.stderr)")
    }

    @Test func aReportIsClassifiedAgainByTheCurrentRules() throws {
        // A report written when a close 1000 after unanswered Engine.IO pings still read as healthy.
        var t = ConnectionTranscript(
            target: TargetDescription(
                url: "ws://app.test/engine.io/?EIO=4&transport=websocket", scheme: "ws", host: "app.test", port: 80,
                resource: "/engine.io/?EIO=4&transport=websocket"),
            timings: PhaseTimings(openAtMs: 100),
            handshake: HandshakeObservation(status: 101, acceptValid: true),
            frames: [
                FrameRecord(direction: .inbound, opcode: "text", length: 1, atMs: 1100, preview: "2"),
                FrameRecord(direction: .inbound, opcode: "close", length: 2, atMs: 2050),
            ],
            close: CloseObservation(
                received: CloseFrameInfo(code: 1000, reason: "", atMs: 2050), sent: CloseFrameInfo(code: 1000, reason: "", atMs: 2051),
                order: .receivedFirst, transportEnd: .eof, atMs: 2055))
        t.applicationKeepalive = ApplicationKeepaliveAnnouncement(
            protocolName: "engine.io", pingIntervalMs: 1000, pingTimeoutMs: 1000, atMs: 105)
        let old = Verdict(cause: .healthy, confidence: 0.9, summary: "Healthy", evidence: [])
        let report = DiagnosisReport(target: t.target.url, verdict: old, steps: [], transcript: t)
        let analysis = try EvidenceAnalyzer.analyze(Data(JSONReportRenderer.render(report).utf8))
        #expect(analysis.kind == "report")
        #expect(analysis.connections.first?.recordedVerdict?.cause == .healthy)
        #expect(analysis.connections.first?.verdict.cause == .applicationKeepaliveTimeout)
    }

    @Test func aHandMadeReportIsScrubbedAndItsTextMadeSafeBeforeItIsPrinted() async throws {
        let secret = "s3cr3t-Query-Value-9071"
        let url = "ws://127.0.0.1:1/ws?token=\(secret)"
        let t = ConnectionTranscript(
            target: TargetDescription(url: url, scheme: "ws", host: "127.0.0.1", port: 1, resource: "/ws?token=\(secret)"),
            timings: PhaseTimings(), close: CloseObservation(transportEnd: .notConnected),
            failure: ProbeFailure(stage: .tcp, kind: .connectionRefused, detail: "refused \(url)", atMs: 1))
        // Another tool's report: the token in the clear, and an escape sequence in the recorded cause.
        let recorded = Verdict(cause: CauseID(rawValue: "network.x\u{1B}[2J"), confidence: 0.5, summary: "see \(url)", evidence: [])
        var json = try JSONReportRenderer.render(DiagnosisReport(target: url, verdict: recorded, steps: [], transcript: t))
        json = json.replacingOccurrences(of: "token=%3Credacted%3E", with: "token=\(secret)")
            .replacingOccurrences(of: "token=<redacted>", with: "token=\(secret)")
        #expect(json.contains(secret), "the file under test holds the token in the clear")
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("ws1011-analyze-\(UUID().uuidString.prefix(8)).json")
        try json.write(to: file, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(at: file) }
        let r = try await CLITests.run(["analyze", file.path])
        #expect(r.stdout.contains("connection-refused"), "\(r.stdout)\n\(r.stderr)")
        #expect(!r.stdout.contains(secret) && !r.stderr.contains(secret), "the token reached the output:\n\(r.stdout)")
        #expect(!r.stdout.contains("\u{1B}"), "an escape sequence from the file reached the terminal")
    }
}
