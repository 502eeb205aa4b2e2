import Foundation
import WebSocketDiagnosis

/// Renders a ``DiagnosisReport`` as JUnit XML: one test case per probe step, so a CI system shows
/// the failing layer. Failed steps carry their detail; skipped steps say why. A direct run (`--direct`)
/// is a second test suite with its own steps.
public enum JUnitReportRenderer {
    /// The XML document for `report`; every text is redacted with `redactor` before it is escaped.
    public static func render(_ report: DiagnosisReport, redactor: Redactor = Redactor()) -> String {
        func esc(_ s: String) -> String { xmlEscape(redactor.text(s)) }
        var suites: [(name: String, steps: [ProbeStep])] = [("ws1011 diagnose \(report.target)", report.steps)]
        if let direct = report.directSteps {
            let target = report.directTranscript.map { redactor.url($0.target.url) } ?? "the backend"
            suites.append(("ws1011 diagnose \(target) (direct)", direct))
        }
        let all = suites.flatMap(\.steps)
        var xml = #"<?xml version="1.0" encoding="UTF-8"?>"# + "\n"
        xml += #"<testsuites name="ws1011" \#(counts(all))>"# + "\n"
        for (index, suite) in suites.enumerated() {
            xml += #"  <testsuite name="\#(esc(suite.name))" \#(counts(suite.steps))>"# + "\n"
            if index == 0 {
                xml += "    <properties>\n"
                let properties: [(String, String)] = [
                    ("schema", report.schema), ("target", report.target), ("verdict.layer", report.verdict.layer.rawValue),
                    ("verdict.cause", report.verdict.cause.rawValue), ("verdict.confidence", String(report.verdict.confidence)),
                    ("verdict.summary", report.verdict.summary),
                ]
                for (name, value) in properties {
                    xml += #"      <property name="\#(esc(name))" value="\#(esc(value))"/>"# + "\n"
                }
                xml += "    </properties>\n"
            }
            let prefix = index == 0 ? "ws1011" : "ws1011.direct"
            for step in suite.steps { xml += testcase(step, classPrefix: prefix, report: report, esc: esc) }
            xml += "  </testsuite>\n"
        }
        xml += "</testsuites>\n"
        return xml
    }

    /// `tests=… failures=… errors="0" skipped=… time=…` for `steps`.
    private static func counts(_ steps: [ProbeStep]) -> String {
        let failures = steps.filter { $0.status == .failed }.count
        let skipped = steps.filter { $0.status == .skipped }.count
        let seconds = steps.compactMap(\.durationMs).reduce(0, +) / 1000
        return #"tests="\#(steps.count)" failures="\#(failures)" errors="0" skipped="\#(skipped)" time="\#(time(seconds))""#
    }

    /// One `<testcase>` for `step`.
    private static func testcase(_ step: ProbeStep, classPrefix: String, report: DiagnosisReport, esc: (String) -> String) -> String {
        var xml = ""
        let attributes = #"classname="\#(classPrefix).\#(esc(step.name.rawValue))" name="\#(esc(step.name.rawValue))" time="\#(time((step.durationMs ?? 0) / 1000))""#
        switch step.status {
        case .passed:
            xml += "    <testcase \(attributes)>\n"
            xml += "      <system-out>\(esc(step.detail))</system-out>\n"
            xml += "    </testcase>\n"
        case .failed:
            xml += "    <testcase \(attributes)>\n"
            let message = "\(step.name.rawValue) failed: \(step.detail)"
            var body = step.detail + "\n\nverdict: \(report.verdict.layer.rawValue) / \(report.verdict.cause.rawValue) — \(report.verdict.summary)"
            for evidence in report.verdict.evidence { body += "\n- [\(evidence.rule)] \(evidence.observation)" }
            xml += #"      <failure message="\#(esc(String(message.prefix(500))))" type="\#(esc(report.verdict.cause.rawValue))">\#(esc(body))</failure>"# + "\n"
            xml += "    </testcase>\n"
        case .skipped:
            xml += "    <testcase \(attributes)>\n"
            xml += #"      <skipped message="\#(esc(step.detail))"/>"# + "\n"
            xml += "    </testcase>\n"
        }
        return xml
    }

    /// Escapes `& < > " '` and drops characters XML 1.0 forbids (control characters other than tab, LF, CR).
    public static func xmlEscape(_ s: String) -> String {
        var out = ""
        out.reserveCapacity(s.count)
        for scalar in s.unicodeScalars {
            switch scalar {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            case "'": out += "&apos;"
            case "\t", "\n", "\r": out.unicodeScalars.append(scalar)
            default:
                let v = scalar.value
                if v < 0x20 || (0xFFFE...0xFFFF).contains(v) || (0xD800...0xDFFF).contains(v) { continue }
                out.unicodeScalars.append(scalar)
            }
        }
        return out
    }

    private static func time(_ seconds: Double) -> String { String(format: "%.3f", seconds) }
}
