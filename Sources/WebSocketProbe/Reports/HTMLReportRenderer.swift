import Foundation
import WebSocketDiagnosis

/// Renders a ``DiagnosisReport`` as one self-contained HTML page (`ws1011 diagnose --html PATH`).
///
/// The page works offline and fetches nothing: CSS and SVG are inline, there is no script, and a
/// `Content-Security-Policy` of `default-src 'none'` forbids any load. From the top: the verdict and its
/// evidence, the phase waterfall of each run, then a timeline of every connection on one time axis —
/// frames in and out, our pings and their round trips, close frames, the transport end — for the main run
/// and, below it, the direct run and the idle/lifetime probes, so "cut 3.0 s after the last frame, pings
/// kept it alive" is visible at a glance. Then the steps, the timeout discovery, the auth channels and
/// the findings.
///
/// Every text is redacted with the run's redactor, control and bidirectional characters are shown
/// visibly (as in the text report), and the result is HTML-escaped: a server's reason phrase, header or
/// frame cannot inject markup.
public enum HTMLReportRenderer {
    /// One connection drawn on the timeline.
    struct Lane {
        var id: String
        var title: String
        var transcript: ConnectionTranscript
    }

    /// At most this many frames are drawn per lane (a long `--sustain` may carry thousands); the rest are counted.
    static let maxFramesDrawn = 1500

    /// The HTML document for `report`, next steps in `wording`'s words (default: the CLI's flags).
    public static func render(_ report: DiagnosisReport, redactor: Redactor = Redactor(), wording: any AdviceWording = CLIAdviceWording())
        -> String
    {
        let report = report.worded(by: wording)
        let h: (String) -> String = { escape(TerminalText.line(redactor.text($0))) }
        let v = report.verdict
        var html = """
            <!DOCTYPE html>
            <html lang="en">
            <head>
            <meta charset="utf-8">
            <meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'">
            <meta name="viewport" content="width=device-width, initial-scale=1">
            <title>ws1011: \(h(v.layer.rawValue.uppercased())) \(h(v.cause.rawValue)) — \(h(report.target))</title>
            <style>\(css)</style>
            </head>
            <body>

            """
        html += verdictSection(report, h: h)
        let lanes = self.lanes(report)
        html += "<section id=\"waterfall\">\n<h2>Phases</h2>\n"
        for lane in lanes where lane.id == "main" || lane.id == "direct" { html += waterfall(lane, h: h) }
        html += "</section>\n"
        html += timeline(lanes, h: h)
        html += stepsSection(report, h: h)
        if let m = report.measurements { html += measurementsSection(m) }
        if let channels = report.authChannels, !channels.isEmpty { html += authSection(channels, h: h) }
        if let fleet = report.fleet {
            html +=
                "<section id=\"fleet\">\n<h2>Fleet</h2>\n<pre>\(TextReportRenderer.fleet(fleet).split(separator: "\n").map { h(String($0)) }.joined(separator: "\n"))</pre>\n</section>\n"
        }
        html += findingsSection(lanes, h: h)
        html += "<footer>ws1011 report \(h(report.schema)) · \(h(report.target))</footer>\n</body>\n</html>\n"
        return html
    }

    // MARK: - Verdict

    static func verdictSection(_ report: DiagnosisReport, h: (String) -> String) -> String {
        let v = report.verdict
        var html = "<section id=\"verdict\" class=\"verdict layer-\(h(v.layer.rawValue))\">\n"
        html += "<h1>Verdict: <span class=\"layer\">\(h(v.layer.rawValue.uppercased()))</span></h1>\n"
        html += "<p class=\"cause\">cause <code>\(h(v.cause.rawValue))</code> · confidence \(Int((v.confidence * 100).rounded()))%</p>\n"
        html += "<p class=\"summary\">\(h(v.summary))</p>\n"
        if !v.evidence.isEmpty {
            html += "<h2>Evidence</h2>\n<ul class=\"evidence\">\n"
            for e in v.evidence { html += "<li><code>\(h(e.rule.rawValue))</code> \(h(e.observation))</li>\n" }
            html += "</ul>\n"
        }
        for warning in TextReportRenderer.warnings(report) { html += "<p class=\"warning\">⚠ \(h(warning))</p>\n" }
        html += "<p class=\"target\">\(h(report.target))</p>\n</section>\n"
        return html
    }

    // MARK: - Waterfall

    /// The phases of one run as consecutive bars: DNS, TCP, TLS, upgrade, first frame.
    static func waterfall(_ lane: Lane, h: (String) -> String) -> String {
        let t = lane.transcript.timings
        var phases: [(name: String, ms: Double)] = []
        for (name, value) in [("DNS lookup", t.dnsMs), ("TCP connect", t.tcpMs), ("TLS handshake", t.tlsMs), ("Upgrade", t.upgradeMs)] {
            if let value { phases.append((name, max(0, value))) }
        }
        if let first = t.firstFrameAtMs, let open = t.openAtMs ?? t.responseHeadAtMs {
            phases.append(("First frame", max(0, first - open)))
        }
        var html = "<div class=\"waterfall\" data-run=\"\(lane.id)\">\n<h3>\(h(lane.title))</h3>\n"
        guard !phases.isEmpty else {
            return html + "<p>No phase completed.</p>\n" + failureLine(lane.transcript, h: h) + "</div>\n"
        }
        let total = max(phases.map(\.ms).reduce(0, +), 0.001)
        let width = 600.0, label = 130.0, row = 22.0
        html +=
            "<svg class=\"phases\" width=\"\(Int(label + width + 90))\" height=\"\(Int(row * Double(phases.count) + 4))\" role=\"img\" aria-label=\"phase waterfall\">\n"
        var start = 0.0
        for (index, phase) in phases.enumerated() {
            let y = Double(index) * row + 2
            let x = label + start / total * width
            let w = max(1, phase.ms / total * width)
            html += "<text x=\"0\" y=\"\(num(y + 14))\">\(h(phase.name))</text>"
            html +=
                "<rect class=\"phase phase-\(index)\" x=\"\(num(x))\" y=\"\(num(y + 3))\" width=\"\(num(w))\" height=\"14\"><title>\(h(phase.name)) \(fmt(phase.ms))</title></rect>"
            html += "<text x=\"\(num(x + w + 4))\" y=\"\(num(y + 14))\">\(fmt(phase.ms))</text>\n"
            start += phase.ms
        }
        html += "</svg>\n" + failureLine(lane.transcript, h: h) + "</div>\n"
        return html
    }

    static func failureLine(_ t: ConnectionTranscript, h: (String) -> String) -> String {
        var html = ""
        if let f = t.failure {
            html += "<p class=\"failure\">stopped at \(h(f.stage.rawValue)): \(h(f.kind.rawValue)) — \(h(f.detail))</p>\n"
        }
        if let hs = t.handshake, let status = hs.status {
            html +=
                "<p>HTTP \(status)\(hs.reasonPhrase.map { " " + h($0) } ?? "")\(hs.subprotocol.map { ", subprotocol " + h($0) } ?? "")</p>\n"
        }
        return html
    }

    // MARK: - Timeline

    /// The connections of the run that exist: main, direct, idle probe, lifetime probe.
    static func lanes(_ report: DiagnosisReport) -> [Lane] {
        // Titles fit the timeline's label column (170 px of 11 px monospace: 24 characters).
        var lanes = [
            Lane(id: "main", title: report.directTranscript == nil ? "main run" : "main run (front)", transcript: report.transcript)
        ]
        if let direct = report.directTranscript { lanes.append(Lane(id: "direct", title: "direct run", transcript: direct)) }
        if let idle = report.measurements?.idleTranscript { lanes.append(Lane(id: "idle", title: "idle probe (silent)", transcript: idle)) }
        if let lifetime = report.measurements?.lifetimeTranscript {
            lanes.append(Lane(id: "lifetime", title: "lifetime probe (pings)", transcript: lifetime))
        }
        return lanes
    }

    /// The last moment a transcript shows.
    static func endMs(_ t: ConnectionTranscript) -> Double {
        var end =
            [t.close.atMs, t.close.received?.atMs, t.close.sent?.atMs, t.failure?.atMs, t.timings.openAtMs, t.timings.responseHeadAtMs]
            .compactMap { $0 }.max() ?? 0
        if let last = t.frames.last?.atMs { end = max(end, last) }
        for p in t.pings { end = max(end, p.pongAtMs ?? p.sentAtMs) }
        return end
    }

    static func timeline(_ lanes: [Lane], h: (String) -> String) -> String {
        let axisEnd = max(1, (lanes.map { endMs($0.transcript) }.max() ?? 1) * 1.04)
        let label = 170.0, width = 860.0, laneHeight = 64.0, top = 24.0
        let height = top + laneHeight * Double(lanes.count) + 8
        func x(_ ms: Double) -> String { num(label + min(max(ms, 0), axisEnd) / axisEnd * width) }
        var svg =
            "<svg id=\"timeline-svg\" width=\"\(Int(label + width + 20))\" height=\"\(Int(height))\" role=\"img\" aria-label=\"connection timeline\">\n"
        // Axis.
        let step = niceStep(axisEnd / 8)
        var tick = 0.0
        while tick <= axisEnd {
            svg += "<line class=\"grid\" x1=\"\(x(tick))\" y1=\"\(num(top - 4))\" x2=\"\(x(tick))\" y2=\"\(num(height - 8))\"/>"
            svg += "<text class=\"tick\" x=\"\(x(tick))\" y=\"\(num(top - 8))\">\(fmt(tick))</text>\n"
            tick += step
        }
        for (index, lane) in lanes.enumerated() {
            let t = lane.transcript
            let y0 = top + Double(index) * laneHeight
            let mid = y0 + laneHeight / 2
            svg += "<g class=\"lane\" data-lane=\"\(lane.id)\">\n"
            svg += "<text class=\"lane-title\" x=\"0\" y=\"\(num(mid + 4))\">\(h(lane.title))</text>\n"
            // Before the open: connecting and upgrading; after it: the open connection.
            let open = t.timings.openAtMs
            let end = t.close.atMs ?? endMs(t)
            let connectEnd = open ?? end
            svg +=
                "<rect class=\"connecting\" data-event=\"connecting\" x=\"\(x(0))\" y=\"\(num(mid - 4))\" width=\"\(num(max(1, connectEnd / axisEnd * width)))\" height=\"8\"><title>connecting and upgrading: \(fmt(connectEnd))</title></rect>"
            if let open {
                svg +=
                    "<rect class=\"open\" data-event=\"open\" x=\"\(x(open))\" y=\"\(num(mid - 4))\" width=\"\(num(max(1, (end - open) / axisEnd * width)))\" height=\"8\"><title>open from \(fmt(open)) to \(fmt(end))</title></rect>\n"
            }
            for frame in t.frames.prefix(maxFramesDrawn) where frame.opcode != "close" {
                let inbound = frame.direction == .inbound
                let (ya, yb) = inbound ? (y0 + 6, mid - 6) : (mid + 6, y0 + laneHeight - 6)
                let preview = frame.preview.map { ": " + $0 } ?? ""
                svg +=
                    "<line class=\"frame \(inbound ? "in" : "out")\" data-event=\"frame\" x1=\"\(x(frame.atMs))\" y1=\"\(num(ya))\" x2=\"\(x(frame.atMs))\" y2=\"\(num(yb))\">"
                svg +=
                    "<title>\(inbound ? "in" : "out") \(h(frame.opcode)) \(frame.length) B at \(fmt(frame.atMs))\(h(preview))</title></line>\n"
            }
            for ping in t.pings {
                if let pong = ping.pongAtMs {
                    svg +=
                        "<line class=\"rtt\" x1=\"\(x(ping.sentAtMs))\" y1=\"\(num(mid + 10))\" x2=\"\(x(pong))\" y2=\"\(num(mid + 10))\"/>"
                }
                let rtt = ping.rttMs.map { "rtt \(fmt($0))" } ?? "no pong"
                svg +=
                    "<circle class=\"ping\(ping.pongAtMs == nil ? " lost" : "")\" data-event=\"ping\" cx=\"\(x(ping.sentAtMs))\" cy=\"\(num(mid + 10))\" r=\"3\"><title>our ping at \(fmt(ping.sentAtMs)), \(rtt)</title></circle>\n"
            }
            for (close, kind) in [(t.close.received, "received"), (t.close.sent, "sent")] {
                guard let close else { continue }
                let cx = Double(x(close.atMs)) ?? 0
                let code = close.code.map(String.init) ?? "no status"
                let points =
                    kind == "received"
                    ? "\(num(cx)),\(num(mid - 6)) \(num(cx - 6)),\(num(y0 + 4)) \(num(cx + 6)),\(num(y0 + 4))"
                    : "\(num(cx)),\(num(mid + 6)) \(num(cx - 6)),\(num(y0 + laneHeight - 4)) \(num(cx + 6)),\(num(y0 + laneHeight - 4))"
                svg +=
                    "<polygon class=\"close \(kind)\" data-event=\"close-\(kind)\" points=\"\(points)\"><title>close frame \(kind) at \(fmt(close.atMs)): \(code)\(close.reason.isEmpty ? "" : " " + h(close.reason))</title></polygon>"
                svg +=
                    "<text class=\"close-label\" x=\"\(num(cx + 8))\" y=\"\(num(kind == "received" ? y0 + 12 : y0 + laneHeight - 6))\">\(h(code))</text>\n"
            }
            if let failure = t.failure, let at = failure.atMs {
                svg +=
                    "<circle class=\"failure\" data-event=\"failure\" cx=\"\(x(at))\" cy=\"\(num(mid))\" r=\"5\"><title>\(h(failure.kind.rawValue)): \(h(failure.detail))</title></circle>\n"
            }
            if let at = t.close.atMs, t.close.transportEnd != .notConnected {
                let still = t.close.transportEnd == .stillOpen
                svg +=
                    "<line class=\"transport-end\(still ? " still-open" : "")\" data-event=\"transport-end\" x1=\"\(x(at))\" y1=\"\(num(y0 + 2))\" x2=\"\(x(at))\" y2=\"\(num(y0 + laneHeight - 2))\"><title>\(h(endText(t)))</title></line>"
                // The short form beside the end: what ended it and how long the connection had been quiet.
                var short = still ? "still open" : t.close.transportEnd.rawValue
                if !still, let quiet = t.close.sinceLastInboundMs { short += " · quiet \(fmt(quiet))" }
                let nearRight = at / axisEnd > 0.7
                svg +=
                    "<text class=\"lane-end\" text-anchor=\"\(nearRight ? "end" : "start")\" x=\"\(num((Double(x(at)) ?? 0) + (nearRight ? -6 : 6)))\" y=\"\(num(mid - 8))\">\(h(short))</text>\n"
            }
            svg += "</g>\n"
        }
        svg += "</svg>\n"
        var html = "<section id=\"timeline\">\n<h2>Timeline</h2>\n"
        html +=
            "<p class=\"legend\"><span class=\"key in\">▮</span> frame in <span class=\"key out\">▮</span> frame out <span class=\"key ping\">●</span> our ping (line: round trip) "
        html += "<span class=\"key close\">▼</span> close frame <span class=\"key end\">|</span> transport end</p>\n"
        html += svg
        html += "<ul class=\"lane-ends\">\n"
        for lane in lanes { html += "<li data-lane=\"\(lane.id)\"><b>\(h(lane.title))</b>: \(h(endText(lane.transcript)))</li>\n" }
        html += "</ul>\n"
        for lane in lanes where lane.transcript.frames.count > maxFramesDrawn {
            html += "<p>\(h(lane.title)): the first \(maxFramesDrawn) of \(lane.transcript.frames.count) listed frames are drawn.</p>\n"
        }
        return html + "</section>\n"
    }

    /// How a connection ended, in words: "eof at 3.0s, 3.0s after the last inbound frame".
    static func endText(_ t: ConnectionTranscript) -> String {
        let c = t.close
        guard let at = c.atMs else { return t.failure.map { "\($0.kind)" } ?? "not connected" }
        var text: String
        switch c.transportEnd {
        case .stillOpen: text = "still open at \(fmt(at)) (observation over)"
        case .notConnected: text = t.failure.map { "\($0.kind)" } ?? "not connected"
        default: text = "\(c.transportEnd.rawValue) at \(fmt(at))"
        }
        if c.transportEnd != .stillOpen, c.transportEnd != .notConnected, let quiet = c.sinceLastInboundMs {
            text += ", \(fmt(quiet)) after the last inbound frame"
        }
        if let code = c.effectiveCode { text += " → \(code)" }
        return text
    }

    // MARK: - Tables

    static func stepsSection(_ report: DiagnosisReport, h: (String) -> String) -> String {
        var html = "<section id=\"steps\">\n<h2>Steps</h2>\n"
        for (title, steps) in [("main run", report.steps), ("direct run", report.directSteps ?? [])] where !steps.isEmpty {
            html += "<table class=\"steps\"><caption>\(title)</caption>\n<tr><th></th><th>step</th><th>time</th><th>detail</th></tr>\n"
            for step in steps {
                let mark =
                    switch step.status {
                    case .passed: "✓"
                    case .failed: "✗"
                    case .skipped: "–"
                    }
                html +=
                    "<tr class=\"\(step.status.rawValue)\"><td>\(mark)</td><td>\(h(step.name.rawValue))</td><td>\(step.durationMs.map(fmt) ?? "")</td><td>\(h(step.detail))</td></tr>\n"
            }
            html += "</table>\n"
        }
        return html + "</section>\n"
    }

    static func measurementsSection(_ m: Measurements) -> String {
        var html = "<section id=\"measurements\">\n<h2>Timeout discovery</h2>\n<ul>\n"
        if let probe = m.idleProbeMs {
            html +=
                "<li>idle (silent) connection: " + (m.idleTimeoutMs.map { "ended after \(fmt($0))" } ?? "outlived the \(fmt(probe)) probe")
                + "</li>\n"
        }
        if let probe = m.lifetimeProbeMs {
            html +=
                "<li>connection with pings: " + (m.lifetimeMs.map { "ended after \(fmt($0))" } ?? "outlived the \(fmt(probe)) probe")
                + "</li>\n"
        }
        if let requested = m.sustainRequestedMs {
            html += "<li>sustained with traffic: \(m.sustainedMs.map(fmt) ?? "—") of \(fmt(requested))</li>\n"
        }
        return html + "</ul>\n</section>\n"
    }

    static func authSection(_ channels: [AuthChannelResult], h: (String) -> String) -> String {
        var html =
            "<section id=\"auth-channels\">\n<h2>Auth channels</h2>\n<table>\n<tr><th></th><th>channel</th><th>path</th><th>answer</th><th>detail</th></tr>\n"
        for c in channels {
            let answer = (c.status.map { "HTTP \($0)" } ?? "no HTTP answer") + (c.closeCode.map { ", close \($0)" } ?? "")
            html +=
                "<tr class=\"\(c.accepted ? "passed" : "failed")\"><td>\(c.accepted ? "✓" : "✗")</td><td>\(h(c.channel.rawValue))</td><td>\(h(c.path.rawValue))</td><td>\(answer)</td><td>\(h(c.detail))</td></tr>\n"
        }
        return html + "</table>\n</section>\n"
    }

    static func findingsSection(_ lanes: [Lane], h: (String) -> String) -> String {
        let all = lanes.flatMap { lane in lane.transcript.findings.map { (lane.title, $0) } }
        guard !all.isEmpty else { return "" }
        var html = "<section id=\"findings\">\n<h2>Findings</h2>\n<ul>\n"
        for (lane, finding) in all.prefix(50) {
            html +=
                "<li>\(h(lane)): <code>\(h(finding.code.rawValue))</code> \(h(finding.detail))\(finding.atMs.map { " at " + fmt($0) } ?? "")</li>\n"
        }
        return html + "</ul>\n</section>\n"
    }

    // MARK: - Text

    /// Escapes `& < > " '` for text and attribute values.
    public static func escape(_ s: String) -> String {
        var out = ""
        out.reserveCapacity(s.count)
        for ch in s.unicodeScalars {
            switch ch {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            case "'": out += "&#39;"
            default: out.unicodeScalars.append(ch)
            }
        }
        return out
    }

    static func fmt(_ ms: Double) -> String { TextReportRenderer.fmt(ms) }

    /// A coordinate with one decimal.
    static func num(_ value: Double) -> String { String(format: "%.1f", value.isFinite ? value : 0) }

    /// 1, 2 or 5 times a power of ten, at least `raw`.
    static func niceStep(_ raw: Double) -> Double {
        guard raw > 0, raw.isFinite else { return 1 }
        let power = pow(10, floor(log10(raw)))
        for factor in [1.0, 2, 5, 10] where factor * power >= raw { return factor * power }
        return 10 * power
    }

    static let css = """
        body{font:14px/1.45 system-ui,-apple-system,"Segoe UI",sans-serif;margin:0 auto;max-width:1100px;padding:16px;color:#1f2328;background:#fff}
        h1{margin:0 0 4px;font-size:24px}h2{font-size:17px;margin:18px 0 6px}h3{font-size:14px;margin:8px 0 2px}
        code{font:12px ui-monospace,monospace;background:#f6f8fa;padding:1px 4px;border-radius:4px}
        .verdict{padding:12px 16px;border-radius:8px;border-left:10px solid #cf222e;background:#ffebe9}
        .verdict.layer-healthy{border-left-color:#1a7f37;background:#dafbe1}
        .verdict.layer-inconclusive{border-left-color:#9a6700;background:#fff8c5}
        .summary{font-size:16px;font-weight:600}.warning{color:#9a6700;font-weight:600}.target{color:#59636e;font-size:12px}
        svg text{font:11px ui-monospace,monospace;fill:#1f2328}.tick{text-anchor:middle;fill:#59636e}
        .grid{stroke:#d1d9e0;stroke-width:1}
        .phase{fill:#0969da}.phase-1{fill:#1a7f37}.phase-2{fill:#8250df}.phase-3{fill:#bf3989}.phase-4{fill:#9a6700}
        .connecting{fill:#d1d9e0}.open{fill:#8c959f}
        .frame{stroke-width:2}.frame.in{stroke:#0969da}.frame.out{stroke:#8250df}
        .ping{fill:#bf8700}.ping.lost{fill:#fff;stroke:#cf222e;stroke-width:2}.rtt{stroke:#bf8700;stroke-width:3}
        .close{fill:#cf222e}.close.sent{fill:#fff;stroke:#cf222e;stroke-width:2}.close-label{fill:#cf222e}
        .transport-end{stroke:#1f2328;stroke-width:3}.transport-end.still-open{stroke-dasharray:4 3;stroke:#59636e}
        .failure{fill:#cf222e}
        .lane-title{font-weight:700}.lane-end{fill:#59636e;font-size:10px}
        .legend .key.in{color:#0969da}.legend .key.out{color:#8250df}.legend .key.ping{color:#bf8700}.legend .key.close{color:#cf222e}
        table{border-collapse:collapse;margin:6px 0;width:100%}td,th{border-bottom:1px solid #d1d9e0;padding:3px 6px;text-align:left;vertical-align:top}
        caption{text-align:left;font-weight:600}tr.failed td{color:#cf222e}tr.skipped td{color:#59636e}
        .failure{color:#cf222e}footer{margin-top:24px;color:#59636e;font-size:12px}
        """
}
