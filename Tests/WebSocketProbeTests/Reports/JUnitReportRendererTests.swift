import Foundation
#if canImport(FoundationXML)
import FoundationXML
#endif
import Testing
import WebSocketDiagnosis
@testable import WebSocketProbe

@Suite("JUnit report renderer")
struct JUnitReportRendererTests {
    @Test func oneTestCasePerStepWithCounts() {
        let xml = JUnitReportRenderer.render(ReportFixtures.rejected())
        #expect(xml.components(separatedBy: "<testcase ").count - 1 == StepName.allCases.count)
        #expect(xml.contains(#"tests="11" failures="1" errors="0" skipped="8""#))
        #expect(xml.components(separatedBy: "<failure ").count - 1 == 1)
        #expect(xml.contains(#"name="upgrade""#))
    }

    @Test func failureCarriesTheStepDetailAndVerdict() {
        let xml = JUnitReportRenderer.render(ReportFixtures.rejected())
        let failure = xml.components(separatedBy: "<failure ").dropFirst().first ?? ""
        #expect(failure.contains("HTTP 403 Forbidden"))
        #expect(failure.contains("application.auth-rejected"))
    }

    @Test func markupInDetailsIsEscaped() throws {
        let xml = JUnitReportRenderer.render(ReportFixtures.rejected())
        #expect(xml.contains("&lt;b&gt;bad token&lt;/b&gt; &amp; &quot;quotes&quot; &apos;apos&apos;"))
        #expect(!xml.contains("<b>"))
        #expect(!xml.unicodeScalars.contains { $0.value == 1 })
        // A real XML parser accepts it.
        let parser = XMLParser(data: Data(xml.utf8))
        #expect(parser.parse(), "\(parser.parserError.map(String.init(describing:)) ?? "")")
    }

    @Test func escapeFunctionHandlesEveryReservedCharacter() {
        #expect(JUnitReportRenderer.xmlEscape(#"a<b>&"c'"#) == "a&lt;b&gt;&amp;&quot;c&apos;")
        #expect(JUnitReportRenderer.xmlEscape("tab\tok\u{0}\u{8}") == "tab\tok")
    }

    @Test func theDirectRunIsASecondTestSuiteWithItsOwnSteps() throws {
        var report = ReportFixtures.rejected()
        report.directTranscript = ReportFixtures.transcript()
        report.directSteps = StepName.allCases.map { ProbeStep(name: $0, status: .passed, durationMs: 10, detail: "direct \($0.rawValue) ok") }
        let xml = JUnitReportRenderer.render(report)
        #expect(xml.components(separatedBy: "<testsuite ").count - 1 == 2)
        #expect(xml.components(separatedBy: "<testcase ").count - 1 == 2 * StepName.allCases.count)
        // The outer counts add both runs; the direct suite counts only its own (all passed).
        #expect(xml.contains(#"<testsuites name="ws1011" tests="22" failures="1" errors="0" skipped="8""#))
        #expect(xml.contains(#"(direct)" tests="11" failures="0" errors="0" skipped="0""#))
        #expect(xml.contains(#"classname="ws1011.direct.upgrade""#))
        #expect(xml.contains("direct upgrade ok"))
        let parser = XMLParser(data: Data(xml.utf8))
        #expect(parser.parse(), "\(parser.parserError.map(String.init(describing:)) ?? "")")
    }

    @Test func withoutADirectRunThereIsOneTestSuite() {
        let xml = JUnitReportRenderer.render(ReportFixtures.rejected())
        #expect(xml.components(separatedBy: "<testsuite ").count - 1 == 1)
        #expect(!xml.contains("ws1011.direct."))
    }

    @Test func tokenGivenOnTheCommandLineNeverAppears() {
        let xml = JUnitReportRenderer.render(ReportFixtures.rejected(), redactor: Redactor().adding(secrets: [ReportFixtures.token]))
        #expect(!xml.contains(ReportFixtures.token))
        #expect(!xml.contains(ReportFixtures.jwt))
        #expect(xml.contains("&lt;redacted&gt;"))
    }
}
