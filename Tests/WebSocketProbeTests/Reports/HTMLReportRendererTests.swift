import Foundation
import Testing
import WebSocketDiagnosis

@testable import WebSocketProbe

@Suite("HTML report renderer")
struct HTMLReportRendererTests {
    @Test func theVerdictAndItsEvidenceComeFirst() throws {
        let html = HTMLReportRenderer.render(ReportFixtures.rejected(), redactor: Redactor().adding(secrets: [ReportFixtures.token]))
        let verdict = try #require(html.range(of: #"<section id="verdict" class="verdict layer-application">"#))
        let timeline = try #require(html.range(of: #"<section id="timeline">"#))
        let waterfall = try #require(html.range(of: #"<section id="waterfall">"#))
        #expect(verdict.lowerBound < waterfall.lowerBound && waterfall.lowerBound < timeline.lowerBound)
        #expect(html.contains("Verdict: <span class=\"layer\">APPLICATION</span>"))
        #expect(html.contains("<code>handshake-status</code> HTTP 403 with Authorization: Bearer &lt;redacted&gt;"))
    }

    @Test func theFleetHasItsSectionWithItsClusters() {
        var report = ReportFixtures.healthy()
        let connections = (0..<3).map { i in
            FleetConnection(
                index: i, outcome: .ended, startedAtMs: Double(i) * 500, openedAtMs: Double(i) * 500 + 20, endedAtMs: 4000 + Double(i),
                transportEnd: .eof)
        }
        report.fleet = FleetObservation(requested: 3, holdMs: 10_000, rampMs: 1500, pingIntervalMs: 1000, connections: connections)
        let html = HTMLReportRenderer.render(report)
        #expect(html.contains(#"<section id="fleet">"#))
        #expect(html.contains("cluster: 3 ended within 2.0ms at 4000ms (ages 2982ms–3980ms), 3 × bare end"), "\(html)")
        #expect(html.contains("ping every 1000ms)\n  opened 3 of 3"), "one line per line, no escaped line breaks")
        #expect(TextReportRenderer.render(report).contains("opened 3 of 3; ended during the hold 3; held to the end 0"))
    }

    @Test func aFleetWhoseFrontNamesItsInstancesShowsATableByInstance() {
        var report = ReportFixtures.healthy()
        var connections: [FleetConnection] = []
        for i in 0..<6 {
            let started = Double(i) * 100
            if i % 3 == 1 {
                connections.append(
                    FleetConnection(
                        index: i, outcome: .notOpened, startedAtMs: started, handshakeStatus: 502, instance: "<b>pod-1</b>\u{1B}[2J"))
            } else {
                connections.append(
                    FleetConnection(
                        index: i, outcome: .held, startedAtMs: started, openedAtMs: started + 20, transportEnd: .localClose,
                        instance: "pod-\(i % 3)"))
            }
        }
        report.fleet = FleetObservation(requested: 6, holdMs: 10_000, rampMs: 600, pingIntervalMs: 1000, connections: connections)
        let text = TextReportRenderer.render(report)
        #expect(text.contains("by instance (as the front named it):"), "\(text)")
        let lines: [String] = text.components(separatedBy: "\n")
        let rows: [String] = lines.filter { (line: String) -> Bool in line.hasPrefix("    pod-") || line.hasPrefix("    <b>") }
        #expect(rows.count == 3, "\(text)")
        let healthyRow: String = "2       2     2      0           0  -"
        let deadRow: String = "2       0     0      0           2  2 × HTTP 502"
        #expect(rows.contains { (row: String) -> Bool in row.hasPrefix("    pod-0") && row.hasSuffix(healthyRow) }, "\(rows)")
        #expect(rows.contains { (row: String) -> Bool in row.contains("pod-1") && row.hasSuffix(deadRow) }, "\(rows)")
        #expect(!text.contains("\u{1B}"), "a peer's escape sequence never reaches the terminal")
        let html = HTMLReportRenderer.render(report)
        #expect(html.contains("&lt;b&gt;pod-1&lt;/b&gt;"), "\(html)")
        #expect(!html.contains("<b>pod-1"))
        // Without a named instance there is no table.
        report.fleet = FleetObservation(
            requested: 1, holdMs: 10_000, rampMs: 0, pingIntervalMs: 1000,
            connections: [FleetConnection(index: 0, outcome: .held, startedAtMs: 0, openedAtMs: 20, transportEnd: .localClose)])
        #expect(!TextReportRenderer.render(report).contains("by instance"))
    }

    @Test func peerTextIsEscapedAndSecretsAreRedacted() {
        var report = ReportFixtures.rejected()
        report.transcript.handshake?.reasonPhrase = "<script>alert(1)</script>\u{202E}"
        let html = HTMLReportRenderer.render(report, redactor: Redactor().adding(secrets: [ReportFixtures.token]))
        #expect(!html.contains("<script"))
        #expect(html.contains("&lt;script&gt;alert(1)&lt;/script&gt;"))
        #expect(!html.contains("\u{202E}"))  // a bidirectional override is shown, not obeyed
        #expect(!html.contains(ReportFixtures.token))
        #expect(!html.contains(ReportFixtures.jwt))
        #expect(html.contains("&lt;b&gt;bad token&lt;/b&gt; &amp; &quot;quotes&quot; &#39;apos&#39;"))
    }

    @Test func theTimelineDrawsEveryConnectionOnOneAxis() {
        var report = ReportFixtures.healthy()
        var idle = ReportFixtures.transcript()
        idle.frames = []
        idle.pings = []
        idle.close = CloseObservation(transportEnd: .eof, atMs: 3011, sinceLastInboundMs: 3000, sinceLastOutboundMs: 3000)
        var lifetime = ReportFixtures.transcript()
        lifetime.pings = (1...9).map { PingRecord(sentAtMs: Double($0) * 1000, pongAtMs: Double($0) * 1000 + 0.5) }
        lifetime.close = CloseObservation(transportEnd: .stillOpen, atMs: 10_000)
        report.measurements = Measurements(
            idleTimeoutMs: 3000, idleProbeMs: 10_000, lifetimeProbeMs: 10_000, idleTranscript: idle, lifetimeTranscript: lifetime)
        let html = HTMLReportRenderer.render(report)
        for lane in ["main", "idle", "lifetime"] { #expect(html.contains(#"<g class="lane" data-lane="\#(lane)">"#)) }
        #expect(html.components(separatedBy: #"data-event="ping""#).count - 1 == 1 + 9)
        #expect(html.contains("our ping at 5000ms, rtt 0.5ms"))
        #expect(html.contains("eof · quiet 3000ms"))
        #expect(html.contains("still open at 10.0s (observation over)"))
        #expect(html.contains(#"data-event="close-received""#) && html.contains(#"data-event="close-sent""#))
        // One axis: the main run's end at 41 ms sits near the left, the lifetime probe's at 10 s near the right.
        #expect(html.contains(#"<text class="tick" x="170.0""#))
    }

    @Test func thePageLoadsNothing() {
        let html = HTMLReportRenderer.render(ReportFixtures.healthy(secure: true))
        #expect(html.contains(#"content="default-src 'none'; style-src 'unsafe-inline'""#))
        for reference in ["src=", "href=", "url(", "@import", "<script", "<link"] { #expect(!html.contains(reference), "\(reference)") }
    }
}
