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
}
