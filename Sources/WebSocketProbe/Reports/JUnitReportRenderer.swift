import Foundation
import WebSocketDiagnosis

/// Renders a ``DiagnosisReport`` as JUnit XML that a CI dashboard reads as the run's outcome.
///
/// The document follows the Jenkins `junit-10.xsd` (checked in under `Fixtures/schemas/`):
/// - the first suite opens with a `verdict` test case, failed whenever the verdict is not healthy (the
///   run's exit code 1): its message is the summary, its type the cause id, its body the evidence;
///   then one test case per probe step (failed steps carry their detail, skipped steps say why);
/// - a direct run (`--direct`) is a second suite with its own steps;
/// - the timeout probes (idle, lifetime, sustain), the direct run as a whole and every auth-channel attempt
///   are one test case each in a `probes` suite, failed when the probe found a limit or was refused.
public enum JUnitReportRenderer {
    /// One `<testcase>`: where it belongs and how it ended.
    struct Case {
        enum Outcome {
            case passed(output: String)
            case failed(message: String, type: String, body: String)
            case skipped(message: String)
        }

        var classname: String
        var name: String
        var durationMs: Double?
        var outcome: Outcome
    }

    /// The XML document for `report`; every text is redacted with `redactor` before it is escaped; next
    /// steps in `wording`'s words (default: the CLI's flags).
    public static func render(_ report: DiagnosisReport, redactor: Redactor = Redactor(), wording: any AdviceWording = CLIAdviceWording())
        -> String
    {
        let report = report.worded(by: wording)
        func esc(_ s: String) -> String { xmlEscape(redactor.text(s)) }
        var suites: [(name: String, cases: [Case])] = [
            (
                "ws1011 diagnose \(report.target)",
                [verdictCase(report)] + report.steps.map { stepCase($0, classPrefix: "ws1011", report: report) }
            )
        ]
        if let direct = report.directSteps {
            let target = report.directTranscript.map { redactor.url($0.target.url) } ?? "the backend"
            suites.append(("ws1011 diagnose \(target) (direct)", direct.map { stepCase($0, classPrefix: "ws1011.direct", report: report) }))
        }
        let probes = probeCases(report)
        if !probes.isEmpty { suites.append(("ws1011 probes \(report.target)", probes)) }

        let all = suites.flatMap(\.cases)
        var xml = #"<?xml version="1.0" encoding="UTF-8"?>"# + "\n"
        // junit-10.xsd allows name, time, tests, failures and errors on <testsuites> (no `skipped`).
        xml += #"<testsuites name="ws1011" tests="\#(all.count)" failures="\#(failures(all))" errors="0" time="\#(time(all))">"# + "\n"
        let timestamp = report.transcript.startedAt.map { #" timestamp="\#(isoTimestamp($0))""# } ?? ""
        for (index, suite) in suites.enumerated() {
            let skipped = suite.cases.filter { if case .skipped = $0.outcome { true } else { false } }.count
            xml +=
                #"  <testsuite name="\#(esc(suite.name))" tests="\#(suite.cases.count)" failures="\#(failures(suite.cases))" errors="0" skipped="\#(skipped)" time="\#(time(suite.cases))"\#(timestamp)>"#
                + "\n"
            if index == 0 {
                xml += "    <properties>\n"
                var properties: [(String, String)] = [
                    ("schema", report.schema), ("target", report.target), ("verdict.layer", report.verdict.layer.rawValue),
                    ("verdict.cause", report.verdict.cause.rawValue),
                    ("verdict.confidence", String(format: "%.2f", report.verdict.confidence)),
                    ("verdict.summary", report.verdict.summary),
                ]
                if let interruption = report.interruption { properties.append(("interruption", interruption.detail)) }
                for (name, value) in properties {
                    xml += #"      <property name="\#(esc(name))" value="\#(esc(value))"/>"# + "\n"
                }
                xml += "    </properties>\n"
            }
            for testcase in suite.cases { xml += render(testcase, esc: esc) }
            xml += "  </testsuite>\n"
        }
        xml += "</testsuites>\n"
        return xml
    }

    // MARK: - Cases

    /// The run's outcome: failed whenever the verdict is not healthy (the exit code is 1).
    static func verdictCase(_ report: DiagnosisReport) -> Case {
        let v = report.verdict
        var body = "\(v.layer.rawValue) / \(v.cause.rawValue), confidence \(Int((v.confidence * 100).rounded()))%\n\(v.summary)"
        if !v.evidence.isEmpty { body += "\n\nEvidence:" }
        for evidence in v.evidence { body += "\n- [\(evidence.rule)] \(evidence.observation)" }
        if let interruption = report.interruption {
            body += "\n\nThe run was cut short: \(interruption.detail) during \(interruption.during)."
        }
        let outcome: Case.Outcome =
            v.layer == .healthy ? .passed(output: body) : .failed(message: v.summary, type: v.cause.rawValue, body: body)
        return Case(classname: "ws1011", name: "verdict", durationMs: nil, outcome: outcome)
    }

    /// One probe step.
    static func stepCase(_ step: ProbeStep, classPrefix: String, report: DiagnosisReport) -> Case {
        let outcome: Case.Outcome
        switch step.status {
        case .passed:
            outcome = .passed(output: step.detail)
        case .failed:
            var body =
                step.detail + "\n\nverdict: \(report.verdict.layer.rawValue) / \(report.verdict.cause.rawValue) — \(report.verdict.summary)"
            for evidence in report.verdict.evidence { body += "\n- [\(evidence.rule)] \(evidence.observation)" }
            outcome = .failed(message: "\(step.name.rawValue) failed: \(step.detail)", type: report.verdict.cause.rawValue, body: body)
        case .skipped:
            outcome = .skipped(message: step.detail)
        }
        return Case(
            classname: "\(classPrefix).\(step.name.rawValue)", name: step.name.rawValue, durationMs: step.durationMs, outcome: outcome)
    }

    /// The timeout probes, the direct run as a whole and each auth-channel attempt.
    static func probeCases(_ report: DiagnosisReport) -> [Case] {
        var cases: [Case] = []
        if let m = report.measurements {
            if let probe = m.idleProbeMs {
                cases.append(
                    limitCase(name: "idle", ended: m.idleTimeoutMs, probeMs: probe, what: "a silent connection (no data, no pings)"))
            }
            if let probe = m.lifetimeProbeMs {
                cases.append(
                    limitCase(name: "lifetime", ended: m.lifetimeMs, probeMs: probe, what: "a connection with a ping every second"))
            }
            if let requested = m.sustainRequestedMs {
                let held = m.sustainedMs ?? 0
                let text =
                    "a connection with traffic held \(TextReportRenderer.fmt(held)) of the \(TextReportRenderer.fmt(requested)) requested"
                let outcome: Case.Outcome =
                    held >= requested ? .passed(output: text) : .failed(message: text, type: "probe.sustain", body: text)
                cases.append(Case(classname: "ws1011.probe", name: "sustain", durationMs: m.sustainedMs, outcome: outcome))
            }
        }
        if let steps = report.directSteps {
            let target = report.directTranscript?.target.url ?? "the backend"
            let outcome: Case.Outcome
            if let failed = steps.first(where: { $0.status == .failed }) {
                let message = "the direct run to \(target) failed at \(failed.name.rawValue): \(failed.detail)"
                outcome = .failed(message: message, type: "probe.direct", body: message)
            } else {
                outcome = .passed(output: "the direct run to \(target) passed every step it ran")
            }
            cases.append(
                Case(classname: "ws1011.probe", name: "direct", durationMs: steps.compactMap(\.durationMs).reduce(0, +), outcome: outcome))
        }
        if let fleet = report.fleet { cases.append(fleetCase(fleet)) }
        for channel in report.authChannels ?? [] { cases.append(authCase(channel)) }
        return cases
    }

    /// The fleet (`--connections N`): failed when a connection ended during the hold or never opened.
    private static func fleetCase(_ fleet: FleetObservation) -> Case {
        let failed = fleet.connections.filter { $0.outcome == .ended || $0.outcome == .notOpened }
        let held = fleet.connections.filter { $0.outcome == .held }.count
        let outcome: Case.Outcome
        if failed.isEmpty {
            outcome = .passed(output: "\(held) of \(fleet.requested) connections held \(TextReportRenderer.fmt(fleet.holdMs))")
        } else {
            let message = "\(failed.count) of \(fleet.requested) fleet connections ended or never opened; \(held) held"
            outcome = .failed(message: message, type: "probe.fleet", body: TextReportRenderer.fleet(fleet))
        }
        return Case(classname: "ws1011.probe", name: "fleet", durationMs: fleet.holdMs, outcome: outcome)
    }

    /// A timeout probe: failed when the connection ended before the probe did (a limit was found).
    private static func limitCase(name: String, ended: Double?, probeMs: Double, what: String) -> Case {
        let outcome: Case.Outcome
        if let ended {
            let text = "\(what) ended after \(TextReportRenderer.fmt(ended)), inside the \(TextReportRenderer.fmt(probeMs)) probe"
            outcome = .failed(message: text, type: "probe.\(name)", body: text)
        } else {
            outcome = .passed(output: "\(what) outlived the \(TextReportRenderer.fmt(probeMs)) probe")
        }
        return Case(classname: "ws1011.probe", name: name, durationMs: ended ?? probeMs, outcome: outcome)
    }

    /// One auth-channel attempt: failed when the credential was refused by that channel. The attempt
    /// without any credential is the backend's own answer and is reported, never failed.
    private static func authCase(_ c: AuthChannelResult) -> Case {
        let status = c.status.map { "HTTP \($0)" } ?? "no HTTP answer"
        let close = c.closeCode.map { ", close \($0)" } ?? ""
        let text = "\(c.accepted ? "accepted" : "refused") (\(status)\(close)): \(c.detail)"
        let outcome: Case.Outcome
        if c.channel == .none {
            outcome = .passed(output: "without a credential the backend " + text)
        } else if c.accepted {
            outcome = .passed(output: "the credential by \(c.channel.rawValue) was " + text)
        } else {
            let message = "the credential by \(c.channel.rawValue) (\(c.path)) was " + text
            outcome = .failed(message: message, type: "auth.\(c.channel.rawValue)", body: message)
        }
        return Case(classname: "ws1011.auth.\(c.path)", name: c.channel.rawValue, durationMs: nil, outcome: outcome)
    }

    // MARK: - XML

    /// One `<testcase>` element.
    private static func render(_ c: Case, esc: (String) -> String) -> String {
        var xml =
            #"    <testcase classname="\#(esc(c.classname))" name="\#(esc(c.name))" time="\#(time((c.durationMs ?? 0) / 1000))">"# + "\n"
        switch c.outcome {
        case .passed(let output):
            xml += "      <system-out>\(esc(output))</system-out>\n"
        case .failed(let message, let type, let body):
            xml += #"      <failure message="\#(esc(String(message.prefix(500))))" type="\#(esc(type))">\#(esc(body))</failure>"# + "\n"
        case .skipped(let message):
            xml += #"      <skipped message="\#(esc(message))"/>"# + "\n"
        }
        xml += "    </testcase>\n"
        return xml
    }

    private static func failures(_ cases: [Case]) -> Int {
        cases.filter { if case .failed = $0.outcome { true } else { false } }.count
    }

    private static func time(_ cases: [Case]) -> String {
        time(cases.compactMap(\.durationMs).reduce(0, +) / 1000)
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

    /// `SUREFIRE_TIME`: seconds with three decimals, never negative.
    private static func time(_ seconds: Double) -> String { String(format: "%.3f", max(0, seconds)) }

    /// `2026-09-21T12:00:00Z`, as JUnit consumers read `timestamp`.
    private static func isoTimestamp(_ date: Date) -> String {
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime]
        return formatter.string(from: date)
    }
}
