import Foundation
import WebSocketDiagnosis

/// Renders a ``DiagnosisReport`` for a person: an httpstat-like waterfall of the phases, the steps
/// with ✓ / ✗ / –, the end of the connection, the verdict with its evidence, and warnings
/// (TLS verification off).
public enum TextReportRenderer {
    /// The report as text; the whole output is redacted with `redactor` (default: JWT-shaped strings),
    /// laid out by `layout` (default: 80 columns, UTF-8 glyphs), next steps in `wording`'s words (default: the CLI's flags).
    public static func render(
        _ report: DiagnosisReport, redactor: Redactor = Redactor(), layout: TextLayout = .standard,
        wording: any AdviceWording = CLIAdviceWording()
    ) -> String {
        let report = report.worded(by: wording)
        var out = "ws1011 diagnose \(safe(report.target))\n\n"
        if report.directTranscript != nil { out += "through the front:\n" }
        out += waterfall(report.transcript)
        if let direct = report.directTranscript {
            out += "\ndirect (\(safe(direct.target.url))):\n"
            out += waterfall(direct)
        }
        out += "\n" + steps(report.steps)
        out += "\n" + connectionEnd(report.transcript)
        if let measurements = report.measurements { out += "\n" + self.measurements(measurements) }
        if let channels = report.authChannels, !channels.isEmpty { out += "\n" + authChannels(channels) }
        if let fleet = report.fleet { out += "\n" + self.fleet(fleet) }
        out += "\n" + verdict(report.verdict)
        let warnings = self.warnings(report)
        if !warnings.isEmpty { out += "\n" + warnings.map { "⚠ " + $0 }.joined(separator: "\n") + "\n" }
        // Peer text was made safe field by field (line breaks folded); this pass keeps our own line
        // structure and makes any control character that is left visible.
        return layout.apply(TerminalText.block(redactor.text(out)))
    }

    // MARK: - Waterfall

    /// The phases as httpstat draws them: one cell per phase with its duration, then the cumulative offsets.
    public static func waterfall(_ t: ConnectionTranscript) -> String {
        let timings = t.timings
        let firstFrame: Double? = {
            guard let first = timings.firstFrameAtMs, let open = timings.openAtMs ?? timings.responseHeadAtMs else { return nil }
            return max(0, first - open)
        }()
        let phases: [(String, Double?, Bool)] = [
            ("DNS Lookup", timings.dnsMs, true),
            ("TCP Connection", timings.tcpMs, true),
            ("TLS Handshake", timings.tlsMs, t.target.isSecure),
            ("Upgrade", timings.upgradeMs, true),
            ("First Frame", firstFrame, true),
        ]
        // Five cells of 14 and their borders: 76 columns, inside an 80-column terminal.
        let width = 14
        func center(_ s: String) -> String {
            let pad = max(0, width - s.count)
            return String(repeating: " ", count: pad / 2) + s + String(repeating: " ", count: pad - pad / 2)
        }
        var names = " "
        var cells = "["
        for (index, phase) in phases.enumerated() {
            names += center(phase.0) + " "
            let value: String = phase.2 ? (phase.1.map { fmt($0) } ?? "—") : "n/a"
            cells += center(value) + (index == phases.count - 1 ? "]" : "|")
        }
        var cumulative: [String] = []
        var sum = 0.0
        let labels = ["namelookup", "connect", "tls", "upgraded", "first frame"]
        for (index, phase) in phases.enumerated() where phase.2 {
            guard let v = phase.1 else { break }
            sum += v
            cumulative.append("\(labels[index]):\(fmt(sum))")
        }
        var text = names + "\n" + cells + "\n"
        if !cumulative.isEmpty { text += "  " + cumulative.joined(separator: "  ") + "\n" }
        if let f = t.failure { text += "  stopped at \(f.stage.rawValue): \(safe(f.kind.rawValue)) — \(safe(f.detail))\n" }
        if let h = t.handshake, let status = h.status {
            text += "  HTTP \(status)\(h.reasonPhrase.map { " " + safe($0) } ?? "")"
            if let sp = h.subprotocol { text += ", subprotocol \(safe(sp))" }
            text += "\n"
        }
        return text
    }

    // MARK: - Steps

    /// One line per step: symbol, name, duration, detail.
    public static func steps(_ steps: [ProbeStep]) -> String {
        var text = "Steps\n"
        let nameWidth = StepName.allCases.map(\.rawValue.count).max() ?? 12
        for step in steps {
            let symbol =
                switch step.status {
                case .passed: "✓"
                case .failed: "✗"
                case .skipped: "–"
                }
            let name = step.name.rawValue.padding(toLength: nameWidth, withPad: " ", startingAt: 0)
            let duration = (step.durationMs.map { fmt($0) } ?? "").padding(toLength: 9, withPad: " ", startingAt: 0)
            text += "  \(symbol) \(name)  \(duration) \(safe(step.detail))\n"
        }
        return text
    }

    /// How the connection ended, in words.
    static func connectionEnd(_ t: ConnectionTranscript) -> String {
        var text = "Connection end: \(safe(t.close.probeSummary))"
        if let code = t.close.effectiveCode { text += " — a browser would report \(code)" }
        text += "\n"
        if !t.pings.isEmpty {
            let rtts = t.pings.compactMap(\.rttMs)
            text += "  pings: \(t.pings.count) sent, \(rtts.count) answered"
            if let best = rtts.min(), let worst = rtts.max() { text += " (rtt \(fmt(best))–\(fmt(worst)))" }
            text += "\n"
        }
        text +=
            "  frames: \(t.frames.filter { $0.direction == .inbound }.count) in, \(t.frames.filter { $0.direction == .outbound }.count) out; bytes on the wire: \(t.wire.bytesIn) in, \(t.wire.bytesOut) out\n"
        for finding in t.findings.prefix(8) { text += "  finding \(finding.code.rawValue): \(safe(finding.detail))\n" }
        return text
    }

    static func measurements(_ m: Measurements) -> String {
        var text = "Timeout discovery\n"
        if let probe = m.idleProbeMs {
            text +=
                "  idle (silent) connection:   " + (m.idleTimeoutMs.map { "ended after \(fmt($0))" } ?? "outlived the \(fmt(probe)) probe")
                + "\n"
        }
        if let probe = m.lifetimeProbeMs {
            text +=
                "  connection with pings:      " + (m.lifetimeMs.map { "ended after \(fmt($0))" } ?? "outlived the \(fmt(probe)) probe")
                + "\n"
        }
        if let requested = m.sustainRequestedMs {
            text += "  sustained with traffic:     \(m.sustainedMs.map { fmt($0) } ?? "—") of \(fmt(requested))\n"
        }
        return text
    }

    static func authChannels(_ channels: [AuthChannelResult]) -> String {
        var tried: [String] = []
        for c in channels where c.channel != .none && !tried.contains(c.channel.rawValue) { tried.append(c.channel.rawValue) }
        var text = "Auth channels (tried: \(tried.joined(separator: ", ")); the URL query is tried only when named in --auth-channels)\n"
        for c in channels {
            let mark = c.accepted ? "✓" : "✗"
            let status = c.status.map { "HTTP \($0)" } ?? "no HTTP answer"
            let close = c.closeCode.map { ", close \($0)" } ?? ""
            text +=
                "  \(mark) \(c.channel.rawValue.padding(toLength: 11, withPad: " ", startingAt: 0)) \(c.path.rawValue.padding(toLength: 6, withPad: " ", startingAt: 0)) \(status)\(close) — \(safe(c.detail))\n"
        }
        return text
    }

    // MARK: - Verdict

    /// The verdict: layer, cause, confidence, summary with the next steps in `wording`'s words (default:
    /// the CLI's flags), then each piece of evidence with its rule.
    public static func verdict(_ v: Verdict, wording: any AdviceWording = CLIAdviceWording()) -> String {
        var text =
            "Verdict: \(v.layer.rawValue.uppercased())  cause \(v.cause.rawValue)  confidence \(Int((v.confidence * 100).rounded()))%\n"
        text += "  \(safe(v.summary(wordedBy: wording)))\n"
        if !v.evidence.isEmpty {
            text += "  Evidence:\n"
            for e in v.evidence { text += "    • [\(safe(e.rule.rawValue))] \(safe(e.observation))\n" }
        }
        return text
    }

    /// Warnings a reader must not miss.
    public static func warnings(_ report: DiagnosisReport) -> [String] {
        var out: [String] = []
        if let i = report.interruption {
            out.append(
                "The run was cut short: \(safe(i.detail)) during \(safe(i.during)). "
                    + (i.mainAttemptInterrupted
                        ? "The steps above stop where it was cut." : "The main probe had finished; only later probes were cut short."))
        }
        for t in [report.transcript] + (report.directTranscript.map { [$0] } ?? []) where t.tls?.verificationDisabled == true {
            out.append(
                "TLS certificate verification was OFF (--insecure) for \(safe(t.target.url)): this run proves nothing about the certificate."
            )
        }
        return out
    }

    /// A field that may carry peer text, as one terminal-safe line.
    static func safe(_ s: String) -> String { TerminalText.line(s) }

    static func fmt(_ ms: Double) -> String {
        if ms < 10 { return String(format: "%.1fms", ms) }
        if ms < 10_000 { return "\(Int(ms.rounded()))ms" }
        return String(format: "%.1fs", ms / 1000)
    }
}
