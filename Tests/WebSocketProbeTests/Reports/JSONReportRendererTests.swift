import Foundation
import Testing
import WebSocketDiagnosis

@testable import WebSocketProbe

@Suite("JSON report renderer")
struct JSONReportRendererTests {
    @Test func reportRoundTripsWithItsSchema() throws {
        let report = ReportFixtures.healthy(secure: true)
        let json = try JSONReportRenderer.render(report)
        let decoded = try JSONReportRenderer.decode(Data(json.utf8))
        #expect(decoded == report)
        #expect(decoded.schema == "ws1011.report/1")
    }

    @Test func keysAreSortedAndDatesAreISO8601() throws {
        let json = try JSONReportRenderer.render(ReportFixtures.healthy())
        #expect(json.contains(#""startedAt" : "2026-09-21T"#))
        let schema = try #require(json.range(of: #""schema""#))
        let steps = try #require(json.range(of: #""steps""#))
        let target = try #require(json.range(of: #""target" : "ws"#))
        #expect(schema.lowerBound < steps.lowerBound && steps.lowerBound < target.lowerBound)
        #expect(json.contains("\n  "))  // pretty-printed
    }

    @Test func contractFieldsArePresent() throws {
        let json = try JSONReportRenderer.render(ReportFixtures.rejected())
        let object = try #require(try JSONSerialization.jsonObject(with: Data(json.utf8)) as? [String: Any])
        let verdict = try #require(object["verdict"] as? [String: Any])
        #expect(Set(verdict.keys).isSuperset(of: ["layer", "cause", "confidence", "summary", "evidence"]))
        let steps = try #require(object["steps"] as? [[String: Any]])
        #expect(steps.count == StepName.allCases.count)
        #expect(steps[3]["status"] as? String == "failed")
        let transcript = try #require(object["transcript"] as? [String: Any])
        let close = try #require(transcript["close"] as? [String: Any])
        #expect(close["transportEnd"] as? String == "eof")
        #expect(transcript["timings"] is [String: Any])
    }

    @Test func tokenGivenOnTheCommandLineNeverAppears() throws {
        let json = try JSONReportRenderer.render(ReportFixtures.rejected(), redactor: Redactor().adding(secrets: [ReportFixtures.token]))
        #expect(!json.contains(ReportFixtures.token))
        #expect(!json.contains(ReportFixtures.jwt))
        #expect(json.contains(Redactor.mask))
        _ = try JSONReportRenderer.decode(Data(json.utf8))  // still valid JSON after redaction
    }

    @Test func millisecondsAreWrittenToATenthAndTheConfidenceToAHundredth() throws {
        var report = ReportFixtures.healthy()
        report.verdict.confidence = 0.8500000001
        report.transcript.timings.dnsMs = 0.123456
        report.transcript.pings = [PingRecord(sentAtMs: 13.04, pongAtMs: 13.46)]  // rtt 0.42000000000000171
        report.transcript.close.atMs = 41.0
        let json = try JSONReportRenderer.render(report)
        #expect(json.contains(#""dnsMs" : 0.1,"#))
        #expect(json.contains(#""confidence" : 0.85,"#))
        #expect(json.contains(#""rttMs" : 0.4"#))
        #expect(json.contains(#""sentAtMs" : 13"# + "\n"))
        #expect(json.contains(#""pongAtMs" : 13.5,"#))
        #expect(!json.contains("0000000"), "\(json)")
        // Counts and sizes stay integers, strings stay strings.
        #expect(json.contains(#""bytesIn" : 0"#))
        #expect(json.contains(#""schema" : "ws1011.report/1""#))
    }

    @Test func aCloseFrameWithoutStatusWritesItsCodeAsNull() throws {
        var report = ReportFixtures.healthy()
        report.transcript.close.received = CloseFrameInfo(code: nil, atMs: 40)
        let json = try JSONReportRenderer.render(report)
        #expect(json.contains(#""code" : null"#))
        #expect(try JSONReportRenderer.decode(Data(json.utf8)).transcript.close.received?.code == nil)
    }

    @Test func aFleetsInstancesAreInTheJSONWithTheSchemasFields() throws {
        var report = ReportFixtures.healthy()
        report.fleet = FleetObservation(
            requested: 2, holdMs: 1000, rampMs: 0, pingIntervalMs: nil,
            connections: [
                FleetConnection(
                    index: 0, outcome: .held, startedAtMs: 0, openedAtMs: 10, transportEnd: .localClose, instance: "instance-0"),
                FleetConnection(index: 1, outcome: .notOpened, startedAtMs: 0, handshakeStatus: 502, instance: "instance-1"),
            ])
        let json = try JSONReportRenderer.render(report)
        let object = try #require(try JSONSerialization.jsonObject(with: Data(json.utf8)) as? [String: Any])
        let fleet = try #require(object["fleet"] as? [String: Any])
        let instances = try #require(fleet["instances"] as? [[String: Any]])
        #expect(instances.count == 2 && instances[1]["failure"] as? String == "HTTP 502" && instances[1]["notOpened"] as? Int == 1)
        #expect((fleet["connections"] as? [[String: Any]])?.first?["instance"] as? String == "instance-0")
        let url = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("schemas/ws1011.report-1.schema.json")
        let schema = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: url)) as? [String: Any])
        let def = try #require((schema["$defs"] as? [String: Any])?["fleetInstance"] as? [String: Any])
        let properties = Set((def["properties"] as? [String: Any])?.keys.map { $0 } ?? [])
        for instance in instances { #expect(Set(instance.keys).isSubset(of: properties), "\(instance.keys) vs \(properties)") }
        #expect(Set(def["required"] as? [String] ?? []).isSubset(of: Set(instances[0].keys)))
        #expect(try JSONReportRenderer.decode(Data(json.utf8)).fleet?.instances?.map(\.name) == ["instance-0", "instance-1"])
    }

    @Test func theCheckedInSchemaPatternAcceptsEveryKnownCause() throws {
        let url = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("schemas/ws1011.report-1.schema.json")
        let schema = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: url)) as? [String: Any])
        let defs = try #require(schema["$defs"] as? [String: Any])
        let pattern = try #require((defs["causeID"] as? [String: Any])?["pattern"] as? String)
        let regex = try NSRegularExpression(pattern: pattern)
        func matches(_ s: String) -> Bool { regex.firstMatch(in: s, range: NSRange(s.startIndex..., in: s)) != nil }
        for cause in CauseID.allKnown { #expect(matches(cause.rawValue), "\(cause) does not match the schema's cause pattern") }
        #expect(!matches("Healthy"))
        #expect(!matches("made-up-layer.cause"))
        // The layer enum is the Layer type's cases.
        let layers = try #require((defs["layer"] as? [String: Any])?["enum"] as? [String])
        #expect(Set(layers) == Set(Layer.allCases.map(\.rawValue)))
        let steps = try #require(((defs["step"] as? [String: Any])?["properties"] as? [String: Any])?["name"] as? [String: Any])
        #expect(Set(steps["enum"] as? [String] ?? []) == Set(StepName.allCases.map(\.rawValue)))
    }
}
