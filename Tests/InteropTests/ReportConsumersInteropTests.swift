import Foundation
import Testing
import WebSocketDiagnosis
import WebSocketLab
import WebSocketProbe
import WebSocketScenarios

@testable import WebSocketProbe

#if canImport(FoundationNetworking)
    import FoundationNetworking
#endif

/// The reports of real runs, handed to the programs that consume them: the JSON to Python's `jsonschema`
/// with the checked-in `schemas/*.schema.json`, the JUnit to `xmllint` with the Jenkins `junit-10.xsd`
/// and to Python's `junitparser`, the HTML to headless Chromium, the proxy's `/metrics` to `promtool`.
///
/// The runs are real: the lab healthy (with its auth-channel matrix), a refused port, a run cut by
/// `--max-time`, the idle/lifetime probes and a direct run through a front with an idle timeout, and the
/// auth channels through a front that strips `Authorization`.
@Suite("Report consumers (InteropTests): jsonschema, junit-10.xsd, junitparser, Chromium, promtool", .serialized)
struct ReportConsumersInteropTests {
    /// One real run and the redactor it was rendered with.
    struct Run: Sendable {
        var name: String
        var report: DiagnosisReport
        var redactor: Redactor
    }

    static let root = InteropPeer.packageRoot
    static let readers = InteropPeer.fixture("report_readers.py")

    /// The runs, made once for every test of the suite.
    static let runs = Task<[Run], any Error> { try await makeRuns() }

    static func makeRuns() async throws -> [Run] {
        var runs: [Run] = []
        let lab = try await LabServer.start(LabConfiguration())
        do {
            let token = try await lab.mintToken(email: TestUser.enterprise.email)
            func plan(_ url: String) throws -> ProbePlan {
                var plan = ProbePlan(target: try WebSocketURL(parsing: url))
                plan.profile = .reference
                plan.token = .literal(token)
                plan.timeouts.connect = .seconds(3)
                plan.timeouts.upgrade = .seconds(3)
                plan.timeouts.message = .seconds(3)
                plan.timeouts.close = .seconds(3)
                return plan
            }
            func run(_ name: String, _ plan: ProbePlan) async throws {
                let outcome = try await ProbeRunner(plan: plan).execute()
                runs.append(Run(name: name, report: outcome.report, redactor: outcome.redactor.adding(secrets: [token])))
            }
            // Healthy, with the auth-channel matrix of the reference profile.
            try await run("healthy", try plan(lab.websocketURL))
            // A port that refuses.
            var refused = try plan("ws://127.0.0.1:\(try PeerProcess.freePort())/ws")
            refused.authChannelMatrix = false
            try await run("refused", refused)
            // Cut by --max-time while sustaining.
            var cut = try plan(lab.websocketURL)
            cut.sustain = .seconds(20)
            cut.maxTime = .milliseconds(1500)
            try await run("interrupted", cut)
            // Timeout probes and a direct run through a front that cuts silent connections after 1 s.
            let idleFront = try await FaultProxy.start(
                ProxyConfiguration(
                    upstreams: [ProxyUpstream(host: "127.0.0.1", port: lab.port)],
                    faults: [FaultSpec(name: "idle-timeout", parameters: ["after": "1s"])]))
            do {
                var probes = try plan(idleFront.url(path: "/ws"))
                probes.direct = try WebSocketURL(parsing: lab.websocketURL)
                probes.authChannelMatrix = false
                probes.idleProbe = .milliseconds(2500)
                probes.lifetimeProbe = .milliseconds(2500)
                probes.trafficInterval = .milliseconds(250)
                try await run("idle-timeout", probes)
            } catch {
                await idleFront.shutdown()
                throw error
            }
            await idleFront.shutdown()
            // The auth channels through a front that strips Authorization, with the direct comparison.
            let stripFront = try await FaultProxy.start(
                ProxyConfiguration(
                    upstreams: [ProxyUpstream(host: "127.0.0.1", port: lab.port)],
                    faults: [FaultSpec(name: "strip-header", parameters: ["name": "Authorization"])]))
            do {
                var auth = try plan(stripFront.url(path: "/ws"))
                auth.direct = try WebSocketURL(parsing: lab.websocketURL)
                auth.authChannels = [.subprotocol, .header]
                auth.headers = [HeaderField("Authorization", "Bearer \(token)")]
                try await run("auth-stripped", auth)
            } catch {
                await stripFront.shutdown()
                throw error
            }
            await stripFront.shutdown()
        } catch {
            await lab.shutdown()
            throw error
        }
        await lab.shutdown()
        return runs
    }

    /// A fresh directory for one test's files.
    static func directory(_ name: String) throws -> URL {
        try PeerProcess.makeDirectory("reports-\(name)")
    }

    static func python() throws -> String { try InteropPeer.pythonReportReaders.require() }

    // MARK: - JSON

    @Test(
        "every JSON report of the real runs validates against schemas/ws1011.report-1.schema.json",
        .enabled(if: InteropPeer.shouldRun(.pythonReportReaders), InteropPeer.reason(.pythonReportReaders)), .timeLimit(.minutes(3)))
    func jsonReportsValidateAgainstTheCheckedInSchema() async throws {
        let runs = try await Self.runs.value
        let dir = try Self.directory("json")
        defer { try? FileManager.default.removeItem(at: dir) }
        var files: [String] = []
        for run in runs {
            let file = dir.appendingPathComponent("\(run.name).json")
            try JSONReportRenderer.render(run.report, redactor: run.redactor).write(to: file, atomically: true, encoding: .utf8)
            files.append(file.path)
        }
        // Every optional block appears in at least one run, so the schema is checked against each.
        #expect(runs.contains { $0.report.authChannels != nil })
        #expect(runs.contains { $0.report.measurements?.idleTranscript != nil })
        #expect(runs.contains { $0.report.directTranscript != nil && $0.report.directSteps != nil })
        #expect(runs.contains { $0.report.interruption != nil })
        #expect(runs.contains { $0.report.transcript.failure != nil })
        // A report missing its verdict and one with an unrounded time must fail: the validator is live.
        let broken = dir.appendingPathComponent("broken.json")
        try #"{"schema":"ws1011.report/1","target":"ws://x","steps":[],"transcript":{}}"#.write(
            to: broken, atomically: true, encoding: .utf8)
        let unrounded = dir.appendingPathComponent("unrounded.json")
        let healthy = try JSONReportRenderer.render(runs[0].report, redactor: runs[0].redactor)
        let unroundedText = healthy.replacingOccurrences(of: #""dnsMs" : "#, with: #""dnsMs" : 0.123456, "x" : "#)
        try unroundedText.write(to: unrounded, atomically: true, encoding: .utf8)

        let good = try await PeerProcess.runToEnd(
            executable: try Self.python(), arguments: [Self.readers, "json", Self.root.appendingPathComponent("schemas").path] + files,
            within: .seconds(60))
        #expect(good.status == 0, "\(good.output)")
        #expect(
            good.output.components(separatedBy: "\nok ").count + (good.output.hasPrefix("ok ") ? 0 : -1) == runs.count, "\(good.output)")
        let bad = try await PeerProcess.runToEnd(
            executable: try Self.python(),
            arguments: [Self.readers, "json", Self.root.appendingPathComponent("schemas").path, broken.path, unrounded.path],
            within: .seconds(60))
        #expect(bad.status == 1)
        #expect(bad.output.contains("'verdict' is a required property"), "\(bad.output)")
        #expect(bad.output.contains("not rounded to 0.1 ms"), "\(bad.output)")
    }

    @Test(
        "the reproduce --json document validates against schemas/ws1011.reproduce-1.schema.json",
        .enabled(if: InteropPeer.shouldRun(.pythonReportReaders), InteropPeer.reason(.pythonReportReaders)), .timeLimit(.minutes(3)))
    func reproduceDocumentValidatesAgainstItsSchema() async throws {
        let catalog = try ScenarioCatalog.resolve(explicit: nil)
        let scenarios = try catalog.select([])
        // One that opens, one refused at the upgrade, one with the h2 step's outcome expected and observed, so
        // every observed shape is checked.
        let chosen = scenarios.filter { ["healthy-direct", "app-missing-token", "h2-front-connect-broken"].contains($0.id) }
        #expect(chosen.count == 3)
        let results = await ScenarioRunner(maxConcurrent: 2).run(chosen)
        #expect(results.contains { $0.observed != nil })
        #expect(results.contains { $0.observed?.signature.h2 == "fails" }, "the h2 outcome is in the document")
        let dir = try Self.directory("reproduce")
        defer { try? FileManager.default.removeItem(at: dir) }
        let file = dir.appendingPathComponent("reproduce.json")
        // What `ws1011 reproduce --json` writes.
        try JSONReportRenderer.encodeRounded(ScenarioReport(scenarios: results)).write(to: file, atomically: true, encoding: .utf8)
        let object = try JSONSerialization.jsonObject(with: Data(contentsOf: file)) as? [String: Any]
        #expect(object?["schema"] as? String == "ws1011.reproduce/1")
        let r = try await PeerProcess.runToEnd(
            executable: try Self.python(), arguments: [Self.readers, "json", Self.root.appendingPathComponent("schemas").path, file.path],
            within: .seconds(60))
        #expect(r.status == 0, "\(r.output)")
    }

    // MARK: - JUnit

    @Test(
        "every JUnit report validates against the Jenkins junit-10.xsd and junitparser reads the verdict, probes and channels",
        .enabled(if: InteropPeer.shouldRun(.xmllint, .pythonReportReaders), InteropPeer.reason(.xmllint, .pythonReportReaders)),
        .timeLimit(.minutes(3)))
    func junitValidatesAndReadsInJunitparser() async throws {
        let runs = try await Self.runs.value
        let dir = try Self.directory("junit")
        defer { try? FileManager.default.removeItem(at: dir) }
        var files: [String] = []
        for run in runs {
            let file = dir.appendingPathComponent("\(run.name).xml")
            try JUnitReportRenderer.render(run.report, redactor: run.redactor).write(to: file, atomically: true, encoding: .utf8)
            files.append(file.path)
        }
        let xsd = Self.root.appendingPathComponent("Fixtures/schemas/junit-10.xsd").path
        let xmllint = try InteropPeer.xmllint.require()
        let valid = try await PeerProcess.runToEnd(
            executable: xmllint, arguments: ["--noout", "--schema", xsd] + files, within: .seconds(60))
        #expect(valid.status == 0, "\(valid.output)")
        #expect(valid.output.components(separatedBy: " validates").count - 1 == runs.count, "\(valid.output)")
        // What the renderer wrote before: `skipped` on <testsuites> is not in the schema, and xmllint says so.
        let old = dir.appendingPathComponent("old.xml")
        try
            #"<?xml version="1.0"?><testsuites name="ws1011" tests="1" failures="0" errors="0" skipped="1"><testsuite name="s" tests="1" failures="0" errors="0"><testcase name="c"/></testsuite></testsuites>"#
            .write(to: old, atomically: true, encoding: .utf8)
        let invalid = try await PeerProcess.runToEnd(
            executable: xmllint, arguments: ["--noout", "--schema", xsd, old.path], within: .seconds(60))
        #expect(invalid.status != 0 && invalid.output.contains("skipped"), "\(invalid.output)")

        let read = try await PeerProcess.runToEnd(
            executable: try Self.python(), arguments: [Self.readers, "junit"] + files, within: .seconds(60))
        #expect(read.status == 0, "\(read.output)")
        let documents = read.output.split(separator: "\n").compactMap { line -> [String: Any]? in
            try? JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any]
        }
        #expect(documents.count == runs.count, "\(read.output)")
        for (run, document) in zip(runs, documents) {
            let suites = document["suites"] as? [[String: Any]] ?? []
            let cases = suites.flatMap { $0["cases"] as? [[String: Any]] ?? [] }
            func testcase(_ classname: String, _ name: String) -> [String: Any]? {
                cases.first { $0["classname"] as? String == classname && $0["name"] as? String == name }
            }
            // The verdict case fails exactly when the run exits 1, with the summary as its message.
            let verdict = try #require(testcase("ws1011", "verdict"), "\(run.name): no verdict case in \(document)")
            let healthy = run.report.verdict.layer == .healthy
            #expect((verdict["result"] as? String) == (healthy ? "passed" : "failure"), "\(run.name): \(verdict)")
            if !healthy {
                // The renderers put the verdict's next steps into the CLI's words after the summary.
                #expect(
                    verdict["message"] as? String == run.redactor.text(run.report.verdict.summary(wordedBy: CLIAdviceWording())),
                    "\(run.name)")
                for evidence in run.report.verdict.evidence.prefix(3) {
                    #expect((verdict["text"] as? String ?? "").contains(run.redactor.text(evidence.observation)), "\(run.name)")
                }
            }
            // junitparser's counts agree with the cases it read.
            let failures = suites.map { $0["failures"] as? Int ?? -1 }.reduce(0, +)
            #expect(failures == cases.filter { $0["result"] as? String == "failure" }.count, "\(run.name)")
            #expect(failures >= (healthy ? 0 : 1))
            // One case per probe and per auth channel.
            if let m = run.report.measurements, m.idleProbeMs != nil, m.lifetimeProbeMs != nil {
                let idle = try #require(testcase("ws1011.probe", "idle"), "\(run.name)")
                #expect(idle["result"] as? String == (m.idleTimeoutMs == nil ? "passed" : "failure"), "\(run.name): \(idle)")
                let lifetime = try #require(testcase("ws1011.probe", "lifetime"), "\(run.name)")
                #expect(lifetime["result"] as? String == (m.lifetimeMs == nil ? "passed" : "failure"), "\(run.name): \(lifetime)")
            }
            if run.report.directSteps != nil { #expect(testcase("ws1011.probe", "direct") != nil, "\(run.name)") }
            for channel in run.report.authChannels ?? [] {
                let c = try #require(testcase("ws1011.auth.\(channel.path)", channel.channel.rawValue), "\(run.name): \(channel)")
                let expected = channel.accepted || channel.channel == .none ? "passed" : "failure"
                #expect(c["result"] as? String == expected, "\(run.name): \(c)")
            }
        }
        // The runs cover each shape: an unhealthy verdict, a measured idle timeout, a refused channel.
        let byName = Dictionary(uniqueKeysWithValues: runs.map { ($0.name, $0.report) })
        #expect(byName["healthy"]?.verdict.layer == .healthy, "\(String(describing: byName["healthy"]?.verdict))")
        #expect(byName["refused"]?.verdict.cause == "network.connection-refused")
        #expect(byName["interrupted"]?.interruption != nil)
        #expect(byName["idle-timeout"]?.measurements?.idleTimeoutMs != nil)
        #expect(byName["auth-stripped"]?.authChannels?.contains { $0.channel == .header && $0.path == .front && !$0.accepted } == true)
    }

    // MARK: - HTML

    @Test(
        "HTML reports of a healthy run and three failure kinds render in headless Chromium with the verdict and the timeline, fetching nothing",
        .enabled(if: InteropPeer.shouldRun(.chromium, .pythonReportReaders), InteropPeer.reason(.chromium, .pythonReportReaders)),
        .timeLimit(.minutes(4)))
    func htmlRendersInHeadlessChromium() async throws {
        let runs = try await Self.runs.value.filter { ["healthy", "refused", "interrupted", "idle-timeout"].contains($0.name) }
        #expect(runs.count == 4)
        let chromium = try InteropPeer.chromium.require()
        let dir = try Self.directory("html")
        defer { try? FileManager.default.removeItem(at: dir) }
        for run in runs {
            let file = dir.appendingPathComponent("\(run.name).html")
            let html = HTMLReportRenderer.render(run.report, redactor: run.redactor)
            try html.write(to: file, atomically: true, encoding: .utf8)
            // Self-contained: nothing in the file can load anything.
            for reference in ["src=", "href=", "url(", "@import", "<script", "<link", "<iframe", "<img"] {
                #expect(!html.contains(reference), "\(run.name): the page references \(reference)")
            }
            let common = [
                "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--enable-logging=stderr", "--v=0",
                "--host-resolver-rules=MAP * ~NOTFOUND", "--user-data-dir=\(dir.appendingPathComponent("profile-\(run.name)").path)",
            ]
            let dom = try await BrowserSlot.shared.run {
                try await PeerProcess.runToEnd(
                    executable: chromium, arguments: common + ["--dump-dom", file.absoluteString], within: .seconds(60))
            }
            #expect(dom.status == 0, "\(run.name): \(dom.output.suffix(2000))")
            // Chromium logs a blocked load, a CSP violation or a script error as a console message.
            #expect(
                !dom.output.contains("CONSOLE"),
                "\(run.name): console output: \(dom.output.split(separator: "\n").filter { $0.contains("CONSOLE") })")
            let layer = run.report.verdict.layer.rawValue.uppercased()
            #expect(
                dom.output.contains(#"<section id="verdict" class="verdict layer-\#(run.report.verdict.layer.rawValue)">"#), "\(run.name)")
            #expect(dom.output.contains(#"Verdict: <span class="layer">\#(layer)</span>"#), "\(run.name)")
            #expect(
                dom.output.contains(HTMLReportRenderer.escape(run.redactor.text(run.report.verdict.summary(wordedBy: CLIAdviceWording())))),
                "\(run.name)")
            #expect(dom.output.contains(#"<g class="lane" data-lane="main">"#), "\(run.name)")
            #expect(dom.output.contains(#"<svg id="timeline-svg""#), "\(run.name)")
            let t = run.report.transcript
            let framesDrawn = dom.output.components(separatedBy: #"data-event="frame""#).count - 1
            #expect(
                framesDrawn == min(
                    HTMLReportRenderer.maxFramesDrawn,
                    t.frames.prefix(HTMLReportRenderer.maxFramesDrawn).filter { $0.opcode != "close" }.count)
                    + (run.report.directTranscript.map { $0.frames.filter { $0.opcode != "close" }.count } ?? 0)
                    + (run.report.measurements.map { m in
                        [m.idleTranscript, m.lifetimeTranscript].compactMap { $0 }.map { $0.frames.filter { $0.opcode != "close" }.count }
                            .reduce(0, +)
                    } ?? 0),
                "\(run.name)")
            if run.name == "idle-timeout" {
                #expect(
                    dom.output.contains(#"data-lane="idle""#) && dom.output.contains(#"data-lane="lifetime""#)
                        && dom.output.contains(#"data-lane="direct""#))
                #expect(dom.output.contains(#"data-event="ping""#))
                #expect(dom.output.contains(#"data-event="transport-end""#))
            }
            // The pixels: the verdict banner's colour and, where the connection opened, the open-connection bar
            // of the timeline (a colour nothing else on the page uses).
            let png = dir.appendingPathComponent("\(run.name).png")
            let shot = try await BrowserSlot.shared.run {
                try await PeerProcess.runToEnd(
                    executable: chromium,
                    arguments: common + ["--screenshot=\(png.path)", "--window-size=1200,1400", "--hide-scrollbars", file.absoluteString],
                    within: .seconds(60))
            }
            #expect(shot.status == 0 && FileManager.default.fileExists(atPath: png.path), "\(run.name): \(shot.output.suffix(2000))")
            let banner = run.report.verdict.layer == .healthy ? "1a7f37" : run.report.verdict.layer == .inconclusive ? "9a6700" : "cf222e"
            let colours = try await PeerProcess.runToEnd(
                executable: try Self.python(), arguments: [Self.readers, "png-colors", png.path, banner, "8c959f"], within: .seconds(120))
            #expect(colours.output.contains("\(banner) present"), "\(run.name): \(colours.output)")
            #expect(colours.output.contains("8c959f \(t.timings.openAtMs == nil ? "absent" : "present")"), "\(run.name): \(colours.output)")
        }
    }

    // MARK: - Prometheus

    @Test(
        "the running proxy's /metrics passes promtool check metrics: every family has HELP and TYPE",
        .enabled(if: InteropPeer.shouldRun(.promtool), InteropPeer.reason(.promtool)), .timeLimit(.minutes(2)))
    func proxyMetricsPassPromtool() async throws {
        let promtool = try InteropPeer.promtool.require()
        let lab = try await LabServer.start(LabConfiguration())
        var configuration = ProxyConfiguration(upstreams: [ProxyUpstream(host: "127.0.0.1", port: lab.port)])
        configuration.adminPort = 0
        let proxy = try await FaultProxy.start(configuration)
        let text: String
        do {
            // Traffic through the proxy, so every family has samples (upgrades, frames, closes, ends).
            var plan = ProbePlan(target: try WebSocketURL(parsing: proxy.url(path: "/ws")))
            plan.profile = .reference
            plan.token = .literal(try await lab.mintToken(email: TestUser.enterprise.email))
            plan.authChannelMatrix = false
            _ = try await ProbeRunner(plan: plan).run()
            try await Task.sleep(for: .milliseconds(200))
            let admin = try #require(proxy.adminPort)
            let (data, response) = try await URLSession.shared.data(from: URL(string: "http://127.0.0.1:\(admin)/metrics")!)
            #expect((response as? HTTPURLResponse)?.statusCode == 200)
            text = String(decoding: data, as: UTF8.self)
        } catch {
            await proxy.shutdown()
            await lab.shutdown()
            throw error
        }
        await proxy.shutdown()
        await lab.shutdown()
        let dir = try Self.directory("metrics")
        defer { try? FileManager.default.removeItem(at: dir) }
        let file = dir.appendingPathComponent("metrics.txt")
        try text.write(to: file, atomically: true, encoding: .utf8)
        for family in [
            "ws1011_proxy_connections_open", "ws1011_proxy_connections_total", "ws1011_proxy_bytes_total", "ws1011_proxy_frames_total",
            "ws1011_proxy_upgrades_total", "ws1011_proxy_close_frames_total", "ws1011_proxy_connection_ends_total",
        ] {
            #expect(text.contains("# HELP \(family) "), "\(family) has no HELP:\n\(text)")
            #expect(text.contains("# TYPE \(family) "), "\(family) has no TYPE:\n\(text)")
        }
        let check = try await PeerProcess.runToEnd(
            executable: "/bin/sh", arguments: ["-c", #""$0" check metrics < "$1""#, promtool, file.path], within: .seconds(30))
        #expect(check.status == 0 && check.output.isEmpty, "promtool: \(check.output)\n\(text)")
        // promtool is strict: the same exposition without its HELP lines is refused.
        let bare = dir.appendingPathComponent("bare.txt")
        try text.split(separator: "\n").filter { !$0.hasPrefix("# HELP") }.joined(separator: "\n").appending("\n").write(
            to: bare, atomically: true, encoding: .utf8)
        let refused = try await PeerProcess.runToEnd(
            executable: "/bin/sh", arguments: ["-c", #""$0" check metrics < "$1""#, promtool, bare.path], within: .seconds(30))
        #expect(refused.output.contains("no help text"), "promtool: \(refused.output)")
    }
}
