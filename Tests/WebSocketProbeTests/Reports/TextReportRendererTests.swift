import Foundation
import Testing
import WebSocketDiagnosis

@testable import WebSocketProbe

@Suite("Text report renderer")
struct TextReportRendererTests {
    @Test func healthyReportShowsEveryPhaseAndTheVerdict() {
        let text = TextReportRenderer.render(ReportFixtures.healthy(secure: true))
        for phase in ["DNS Lookup", "TCP Connection", "TLS Handshake", "Upgrade", "First Frame"] {
            #expect(text.contains(phase))
        }
        #expect(text.contains("7.5ms"))
        #expect(text.contains("Verdict: HEALTHY"))
        #expect(text.contains("[all-steps-passed] 11 steps passed"))
        #expect(text.components(separatedBy: "✓").count - 1 == StepName.allCases.count)
    }

    @Test func plainWebSocketMarksTLSAsNotApplicable() {
        let text = TextReportRenderer.render(ReportFixtures.healthy(secure: false))
        #expect(text.contains("n/a"))
    }

    @Test func failedStepIsMarkedAndLaterStepsShowAsSkipped() {
        let text = TextReportRenderer.render(ReportFixtures.rejected(), redactor: Redactor().adding(secrets: [ReportFixtures.token]))
        let upgradeLine = text.split(separator: "\n").first { $0.contains("upgrade ") && $0.contains("HTTP 403 Forbidden;") }
        #expect(upgradeLine?.contains("✗") == true)
        let closeLine = text.split(separator: "\n").first { $0.contains("close ") && $0.contains("not run") }
        #expect(closeLine?.contains("–") == true)
        #expect(text.contains("application.auth-rejected"))
        #expect(text.contains("80%"))
    }

    @Test func tokenGivenOnTheCommandLineNeverAppears() {
        let text = TextReportRenderer.render(ReportFixtures.rejected(), redactor: Redactor().adding(secrets: [ReportFixtures.token]))
        #expect(!text.contains(ReportFixtures.token))
        #expect(!text.contains(ReportFixtures.jwt))
        #expect(text.contains(Redactor.mask))
    }

    @Test func disabledVerificationIsAWarning() {
        let text = TextReportRenderer.render(ReportFixtures.healthy(secure: true, insecure: true))
        #expect(text.contains("⚠ TLS certificate verification was OFF"))
        let verified = TextReportRenderer.render(ReportFixtures.healthy(secure: true))
        #expect(!verified.contains("verification was OFF"))
    }
}
