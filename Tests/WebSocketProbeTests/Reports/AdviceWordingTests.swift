import Foundation
import Testing
import WebSocketDiagnosis
import WebSocketProbe

/// Each front end words the classifier's next steps its own way: the CLI by its flags, the exporter by
/// its module settings; every renderer of a report says them.
@Suite("Reports word the next steps")
struct AdviceWordingTests {
    static func report() -> DiagnosisReport {
        var r = ReportFixtures.rejected()
        r.verdict.summary = "No HTTP answer to the upgrade"
        r.verdict.next = [NextStep(.compareDirect, "to tell which")]
        return r
    }

    @Test func everyCLIRendererSaysRerunWithDirect() throws {
        let report = Self.report()
        let expected = "No HTTP answer to the upgrade; rerun with --direct to tell which"
        #expect(TextReportRenderer.verdict(report.verdict).contains(expected))
        #expect(TextReportRenderer.render(report, layout: TextLayout(width: 200)).contains(expected))
        #expect(HTMLReportRenderer.render(report).contains(expected))
        #expect(JUnitReportRenderer.render(report).contains(expected))
        let json = try JSONReportRenderer.decode(Data(try JSONReportRenderer.render(report).utf8))
        #expect(json.verdict.summary == expected)
    }

    @Test func theExporterNamesNoFlagItDoesNotHave() {
        let text = TextReportRenderer.verdict(Self.report().verdict, wording: ExporterAdviceWording())
        #expect(text.contains("No HTTP answer to the upgrade; probe the backend's own address with `ws1011 diagnose --direct` to tell which"))
        var lifetime = Self.report()
        lifetime.verdict.next = [NextStep(.measureLifetime)]
        let words = TextReportRenderer.verdict(lifetime.verdict, wording: ExporterAdviceWording())
        #expect(words.contains("set lifetimeProbe in the module"))
        #expect(!words.contains("--lifetime-probe"))
    }
}
