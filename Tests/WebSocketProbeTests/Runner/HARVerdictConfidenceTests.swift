import Foundation
import Testing
import WebSocketDiagnosis

@testable import WebSocketProbe

/// A HAR shows when a connection ended, never who ended it (no close frames): a verdict read from its timing is
/// one step less sure than the same reading of a full transcript, and says why.
@Suite("HAR verdicts: the ender is unobserved")
struct HARVerdictConfidenceTests {
    /// One WebSocket entry that opened (101), carried one message each way and ended 65 s later.
    static var har: [String: Any] {
        [
            "log": [
                "creator": ["name": "test", "version": "1"],
                "entries": [
                    [
                        "_resourceType": "websocket",
                        "startedDateTime": "2026-01-01T00:00:00.000Z",
                        "time": 65_000,
                        "timings": ["send": 1, "wait": 20],
                        "request": ["method": "GET", "url": "wss://chat.example.test/ws", "headers": [] as [Any]],
                        "response": ["status": 101, "statusText": "Switching Protocols", "headers": [] as [Any]],
                        "_webSocketMessages": [
                            ["type": "send", "time": 1_767_225_600.1, "opcode": 1, "data": "hello"],
                            ["type": "receive", "time": 1_767_225_600.2, "opcode": 1, "data": "hello"],
                        ],
                    ] as [String: Any]
                ],
            ] as [String: Any]
        ]
    }

    @Test func aTimingReadingFromAHARIsOneContradictionLessSure() throws {
        let archive = try HARArchive(json: Self.har)
        let entry = try #require(archive.entries.first)
        #expect(entry.ended, "the entry records its end")
        let full = FailureClassifier.classify(
            ClassificationInput(transcript: entry.transcript, expectations: ProbeExpectations(profile: "browser")))
        try #require(full.layer != .healthy, "the entry must read as a failure for this test: \(full.summary)")
        let analysis = try EvidenceAnalyzer.har(archive)
        let verdict = try #require(analysis.connections.first?.verdict)
        #expect(verdict.cause == full.cause)
        #expect(verdict.confidence == full.enderUnobserved().confidence && verdict.confidence < full.confidence)
        #expect(verdict.evidence.contains { $0.rule == RuleName.knownLimit }, "the HAR's limit is stated")
    }
}
