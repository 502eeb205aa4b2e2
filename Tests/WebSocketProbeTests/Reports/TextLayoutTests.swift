import Foundation
import Testing
import WebSocketDiagnosis

@testable import WebSocketProbe

@Suite("Text report layout")
struct TextLayoutTests {
    /// A report whose summary, evidence and step details run far past 80 columns.
    static func longReport() -> DiagnosisReport {
        var report = ReportFixtures.rejected()
        report.verdict.summary = String(repeating: "The front cut the connection after the upgrade and before the welcome. ", count: 3)
        report.verdict.evidence.append(
            Evidence(
                rule: "timing-idle-timeout",
                observation: String(repeating: "the silent probe ended after 3000 ms with no close frame; ", count: 3)))
        report.verdict.evidence.append(
            Evidence(rule: "long-token", observation: "wss://" + String(repeating: "a", count: 150) + ".example.com/ws"))
        return report
    }

    @Test func everyLineOfTheDefaultTextReportFitsEightyColumns() {
        for report in [Self.longReport(), ReportFixtures.healthy(secure: true)] {
            let text = TextReportRenderer.render(report, redactor: Redactor().adding(secrets: [ReportFixtures.token]))
            let widest = text.split(separator: "\n").map(\.count).max() ?? 0
            #expect(widest <= 80, "a line of \(widest) columns:\n\(text)")
        }
        // Nothing is lost by wrapping: the words of the summary are all there, in order.
        let text = TextReportRenderer.render(Self.longReport())
        let words = text.split(whereSeparator: { $0 == " " || $0 == "\n" }).joined(separator: " ")
        #expect(words.contains("The front cut the connection after the upgrade and before the welcome. The front cut"))
    }

    @Test func continuationLinesHangUnderTheirLine() {
        let layout = TextLayout(width: 40)
        let wrapped = layout.wrap("    • [rule] one two three four five six seven eight nine ten")
        let lines = wrapped.split(separator: "\n")
        #expect(lines.count == 2)
        #expect(lines[0] == "    • [rule] one two three four five six")
        #expect(lines[1] == "        seven eight nine ten")
    }

    @Test func aWiderTerminalKeepsLongLinesWhole() {
        let text = TextReportRenderer.render(Self.longReport(), layout: TextLayout(width: 400))
        #expect(text.split(separator: "\n").contains { $0.count > 120 })
    }

    @Test func withoutAUTF8LocaleTheGlyphsAreASCII() {
        let text = TextReportRenderer.render(ReportFixtures.rejected(), layout: TextLayout(unicode: false))
        for glyph in ["✓", "✗", "–", "•", "⚠", "—"] { #expect(!text.contains(glyph), "\(glyph) in:\n\(text)") }
        #expect(text.contains("  + connect"))
        #expect(text.contains("  x upgrade"))
        #expect(text.contains("  - tls"))
        #expect(text.contains("    * [handshake-status]"))
    }

    @Test(arguments: [
        ([String: String](), false),
        (["LANG": "C.UTF-8"], true),
        (["LANG": "en_US.utf8"], true),
        (["LANG": "C"], false),
        (["LC_ALL": "POSIX", "LANG": "en_US.UTF-8"], false),
        (["LC_ALL": "", "LC_CTYPE": "de_DE.UTF-8", "LANG": "C"], true),
    ])
    func theLocaleDecidesTheGlyphsAsPOSIXSays(_ environment: [String: String], _ utf8: Bool) {
        #expect(TextLayout.localeIsUTF8(environment) == utf8)
    }

    @Test func colourIsForTerminalsWithoutNoColorOrADumbTerm() {
        #expect(TextLayout.colourWanted(environment: [:], isTerminal: true))
        #expect(!TextLayout.colourWanted(environment: [:], isTerminal: false))
        #expect(!TextLayout.colourWanted(environment: ["NO_COLOR": "1"], isTerminal: true))
        #expect(TextLayout.colourWanted(environment: ["NO_COLOR": ""], isTerminal: true), "an empty NO_COLOR does not count (no-color.org)")
        #expect(!TextLayout.colourWanted(environment: ["TERM": "dumb"], isTerminal: true))
    }

    @Test func colourTouchesOurMarksOnlyAndCarriesNoPeerEscape() {
        let text =
            "Steps\n  ✓ resolve   ok\n  ✗ upgrade   HTTP 502 '\u{1B}[2J'\n  – ping\nVerdict: INFRASTRUCTURE  cause x\n⚠ TLS verification is off"
        let safe = TerminalText.block(text)
        let coloured = TextLayout.coloured(safe, unicode: true)
        #expect(coloured.contains("  \u{1B}[32m✓\u{1B}[0m resolve"))
        #expect(coloured.contains("  \u{1B}[31m✗\u{1B}[0m upgrade"))
        #expect(coloured.contains("  \u{1B}[2m–\u{1B}[0m ping"))
        #expect(coloured.contains("\u{1B}[1m\u{1B}[31mVerdict: INFRASTRUCTURE"))
        #expect(coloured.contains("\u{1B}[33m⚠ TLS"))
        #expect(!coloured.contains("\u{1B}[2J"), "the peer's escape stays escaped")
        // Without colour the text is unchanged, and the ASCII marks are coloured the same way.
        #expect(TextLayout(colour: false).apply(safe) == TextLayout().apply(safe))
        #expect(TextLayout.coloured("  x upgrade", unicode: false) == "  \u{1B}[31mx\u{1B}[0m upgrade")
    }
}
