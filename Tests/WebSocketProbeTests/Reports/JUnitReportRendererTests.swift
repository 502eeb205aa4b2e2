import Foundation
import Testing
import WebSocketDiagnosis

@testable import WebSocketProbe

#if canImport(FoundationXML)
    import FoundationXML
#endif

@Suite("JUnit report renderer")
struct JUnitReportRendererTests {
    @Test func oneTestCasePerStepBesideTheVerdictWithCounts() {
        let xml = JUnitReportRenderer.render(ReportFixtures.rejected())
        // The verdict, the 13 steps, and the one auth-channel attempt of the fixture.
        #expect(xml.components(separatedBy: "<testcase ").count - 1 == 1 + StepName.allCases.count + 1)
        #expect(xml.contains(#"tests="14" failures="2" errors="0" skipped="10""#))
        #expect(xml.components(separatedBy: "<failure ").count - 1 == 3)
        #expect(xml.contains(#"name="upgrade""#))
        // junit-10.xsd has no `skipped` on <testsuites>.
        #expect(xml.contains(#"<testsuites name="ws1011" tests="15" failures="3" errors="0" time="#))
    }

    @Test func theVerdictCaseFailsWheneverTheVerdictIsNotHealthy() throws {
        let rejected = JUnitReportRenderer.render(ReportFixtures.rejected(), redactor: Redactor().adding(secrets: [ReportFixtures.token]))
        let verdict = try #require(rejected.components(separatedBy: #"<testcase classname="ws1011" name="verdict""#).dropFirst().first)
        let failure = try #require(verdict.components(separatedBy: "</testcase>").first)
        #expect(
            failure.contains(
                #"<failure message="The backend refused the credential &lt;&lt;redacted&gt;&gt;." type="application.auth-rejected">"#))
        #expect(failure.contains("[handshake-status] HTTP 403 with Authorization: Bearer &lt;redacted&gt;"))

        let healthy = JUnitReportRenderer.render(ReportFixtures.healthy())
        let passed = try #require(
            healthy.components(separatedBy: #"<testcase classname="ws1011" name="verdict""#).dropFirst().first?.components(
                separatedBy: "</testcase>"
            ).first)
        #expect(!passed.contains("<failure"))
        #expect(passed.contains("<system-out>healthy / healthy, confidence 90%"))
        #expect(!healthy.contains("<failure"))
    }

    @Test func timeoutProbesAndAuthChannelsAreTestCasesThatFailWhenTheyFindALimitOrARefusal() {
        var report = ReportFixtures.healthy()
        report.measurements = Measurements(idleTimeoutMs: 3000, lifetimeMs: nil, idleProbeMs: 10_000, lifetimeProbeMs: 10_000)
        report.authChannels = [
            AuthChannelResult(channel: .header, path: .front, accepted: false, status: 403, detail: "refused"),
            AuthChannelResult(channel: .header, path: .direct, accepted: true, status: 101, detail: "opened"),
            AuthChannelResult(channel: .none, path: .direct, accepted: false, status: 403, detail: "refused"),
        ]
        let xml = JUnitReportRenderer.render(report)
        #expect(xml.contains(#"<testsuite name="ws1011 probes ws://127.0.0.1:8443/ws" tests="5" failures="2" errors="0" skipped="0""#))
        #expect(
            xml.contains(
                #"<testcase classname="ws1011.probe" name="idle" time="3.000">"# + "\n"
                    + #"      <failure message="a silent connection (no data, no pings) ended after 3000ms, inside the 10.0s probe" type="probe.idle">"#
            ))
        #expect(
            xml.contains(
                #"<testcase classname="ws1011.probe" name="lifetime" time="10.000">"# + "\n"
                    + "      <system-out>a connection with a ping every second outlived the 10.0s probe"))
        #expect(xml.contains(#"<testcase classname="ws1011.auth.front" name="header" time="0.000">"# + "\n" + #"      <failure "#))
        #expect(xml.contains(#"<testcase classname="ws1011.auth.direct" name="header" time="0.000">"# + "\n" + "      <system-out>"))
        #expect(
            xml.contains(
                #"<testcase classname="ws1011.auth.direct" name="none" time="0.000">"# + "\n" + "      <system-out>without a credential"))
    }

    @Test func theFleetIsOneTestCaseThatFailsWhenAConnectionEndedDuringTheHold() {
        var report = ReportFixtures.healthy()
        let held = FleetConnection(index: 0, outcome: .held, startedAtMs: 0, openedAtMs: 20, transportEnd: .localClose)
        var cut = FleetConnection(index: 1, outcome: .ended, startedAtMs: 500, openedAtMs: 520, endedAtMs: 3000, transportEnd: .eof)
        cut.reopenStatus = 101
        report.fleet = FleetObservation(requested: 2, holdMs: 10_000, rampMs: 1000, pingIntervalMs: 1000, connections: [held, cut])
        let xml = JUnitReportRenderer.render(report)
        #expect(
            xml.contains(
                #"<testcase classname="ws1011.probe" name="fleet" time="10.000">"# + "\n"
                    + #"      <failure message="1 of 2 fleet connections ended or never opened; 1 held" type="probe.fleet">"#), "\(xml)")
        report.fleet = FleetObservation(requested: 1, holdMs: 10_000, rampMs: 0, pingIntervalMs: 1000, connections: [held])
        #expect(JUnitReportRenderer.render(report).contains("<system-out>1 of 1 connections held 10.0s"))
    }

    @Test func failureCarriesTheStepDetailAndVerdict() {
        let xml = JUnitReportRenderer.render(ReportFixtures.rejected())
        let upgrade = xml.components(separatedBy: #"<testcase classname="ws1011.upgrade""#).dropFirst().first ?? ""
        let failure = upgrade.components(separatedBy: "<failure ").dropFirst().first ?? ""
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
        report.directSteps = StepName.allCases.map {
            ProbeStep(name: $0, status: .passed, durationMs: 10, detail: "direct \($0.rawValue) ok")
        }
        let xml = JUnitReportRenderer.render(report)
        // Main, direct, probes (the direct run as a whole and the fixture's auth-channel attempt).
        #expect(xml.components(separatedBy: "<testsuite ").count - 1 == 3)
        #expect(xml.components(separatedBy: "<testcase ").count - 1 == 2 * StepName.allCases.count + 1 + 2)
        // The outer counts add every suite; the direct suite counts only its own (all passed).
        #expect(xml.contains(#"<testsuites name="ws1011" tests="29" failures="3" errors="0" time="#))
        #expect(xml.contains(#"(direct)" tests="13" failures="0" errors="0" skipped="0""#))
        #expect(xml.contains(#"<testcase classname="ws1011.probe" name="direct""#))
        #expect(xml.contains(#"classname="ws1011.direct.upgrade""#))
        #expect(xml.contains("direct upgrade ok"))
        let parser = XMLParser(data: Data(xml.utf8))
        #expect(parser.parse(), "\(parser.parserError.map(String.init(describing:)) ?? "")")
    }

    @Test func withoutADirectRunOrProbesThereIsOneTestSuite() {
        let xml = JUnitReportRenderer.render(ReportFixtures.healthy())
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
