import Foundation
import Testing
import WebSocketDiagnosis
import WebSocketLab
import WebSocketProbe
import WebSocketTestFramework

/// `ws1011 analyze` on HARs recorded by a real headless Chromium (`Fixtures/interop/har_recorder.py`: the page's
/// WebSockets through the DevTools protocol, written as DevTools' HAR export writes them) against the lab's echo
/// server behind the fault proxy: an idle timeout, a lifetime cap, a refused upgrade and a reload that ends every
/// connection at once. Serialized: each test runs a browser.
@Suite("Interop: analyze HARs recorded by headless Chromium", .serialized)
struct AnalyzeHARInteropTests {
    static let enabled = InteropPeer.shouldRun(.chromium, .pythonWebsockets)
    static let reason = InteropPeer.reason(.chromium, .pythonWebsockets)

    /// Records a HAR of `plan` (the recorder's JSON plan; `{front}` in URLs is the proxy's port, `{admin}` its
    /// admin port) through a fault proxy with `faults` in front of an echo server, and analyses it.
    func record(faults: [String], plan: String) async throws -> (EvidenceAnalyzer.FileAnalysis, URL) {
        let chromium = try InteropPeer.chromium.require()
        let python = try InteropPeer.pythonWebsockets.require()
        let echo = try await EchoServer.start(configuration: .init(name: "echo-0"))
        var configuration = ProxyConfiguration(
            upstreams: [ProxyUpstream(host: "127.0.0.1", port: echo.port)], faults: try faults.map { try FaultSpec(parsing: $0) })
        configuration.adminPort = 0
        let proxy: FaultProxy
        do { proxy = try await FaultProxy.start(configuration) } catch {
            await echo.shutdown()
            throw error
        }
        let dir = try PeerProcess.makeDirectory("har")
        let har = dir.appendingPathComponent("capture.har")
        do {
            let text = plan.replacingOccurrences(of: "{front}", with: String(proxy.port))
                .replacingOccurrences(of: "{admin}", with: String(proxy.adminPort ?? 0))
            let planFile = dir.appendingPathComponent("plan.json")
            try text.write(to: planFile, atomically: true, encoding: .utf8)
            let run = try await BrowserSlot.shared.run {
                try await PeerProcess.runToEnd(
                    executable: python, arguments: [InteropPeer.fixture("har_recorder.py"), chromium, har.path, planFile.path],
                    within: .seconds(90))
            }
            guard run.status == 0, run.output.contains("RECORDED") else {
                throw InteropError("har_recorder.py: \(run.output.suffix(2000))")
            }
        } catch {
            await proxy.shutdown()
            await echo.shutdown()
            throw error
        }
        await proxy.shutdown()
        await echo.shutdown()
        return (try EvidenceAnalyzer.analyze(path: har.path), har)
    }

    static func describe(_ a: EvidenceAnalyzer.FileAnalysis) -> Comment {
        let lines = a.connections.map { c in
            "\(c.label): \(c.observed) → \(c.verdict.cause) \(c.verdict.confidence): \(c.verdict.summary) | "
                + c.verdict.evidence.map { "[\($0.rule)] \($0.observation)" }.joined(separator: " | ")
        }
        let together =
            a.together.map { "\nTOGETHER: \($0.cause): \($0.summary) | " + $0.evidence.map(\.observation).joined(separator: " | ") } ?? ""
        return Comment(rawValue: a.about + "\n" + lines.joined(separator: "\n") + together)
    }

    @Test(
        "a page whose socket goes silent after one message, cut by the front 2 s later, reads as an idle timeout from the HAR",
        .enabled(if: enabled, reason), .timeLimit(.minutes(3)))
    func idleTimeout() async throws {
        let (a, har) = try await record(
            faults: ["idle-timeout:after=2s"],
            plan: #"{"durationMs": 5000, "sockets": [{"url": "ws://127.0.0.1:{front}/chat?token=s3cr3t-t0ken-value", "sendAtMs": [200]}]}"#)
        defer { try? FileManager.default.removeItem(at: har.deletingLastPathComponent()) }
        #expect(a.kind == "HAR" && a.connections.count == 1, Self.describe(a))
        let c = try #require(a.connections.first)
        #expect(c.verdict.cause == .idleTimeout, Self.describe(a))
        #expect(c.verdict.evidence.contains { $0.rule == "known-limit" && $0.observation.contains("no pings, pongs or close frames") })
        // The HAR holds the token in the URL; nothing analysed carries it.
        #expect(try String(contentsOf: har, encoding: .utf8).contains("s3cr3t-t0ken-value"), "the recorded HAR has the token")
        #expect(!"\(Self.describe(a))".contains("s3cr3t-t0ken-value"))
        let cli = try await PeerProcess.runToEnd(executable: Self.binary.path, arguments: ["analyze", har.path], within: .seconds(30))
        #expect(cli.status == 1, "\(cli.output)")
        #expect(cli.output.contains("infrastructure.idle-timeout") && !cli.output.contains("s3cr3t-t0ken-value"), "\(cli.output)")
    }

    @Test(
        "a page that keeps sending every 500 ms and is cut 3 s after its open reads as a lifetime cap from the HAR",
        .enabled(if: enabled, reason), .timeLimit(.minutes(3)))
    func lifetimeCap() async throws {
        let (a, har) = try await record(
            faults: ["lifetime-cap:after=3s"],
            plan: #"{"durationMs": 6000, "sockets": [{"url": "ws://127.0.0.1:{front}/chat", "sendEveryMs": 500}]}"#)
        defer { try? FileManager.default.removeItem(at: har.deletingLastPathComponent()) }
        let c = try #require(a.connections.first, Self.describe(a))
        #expect(c.verdict.cause == .lifetimeCap, Self.describe(a))
        // The proxy counts from its accept, the HAR from the handshake request: within a few hundred ms of 3 s.
        let ended = c.observed.components(separatedBy: "ended ").dropFirst().first.flatMap { Double($0.prefix { $0 != " " }) }
        #expect(ended.map { $0 >= 2.5 && $0 <= 3.6 } == true, Self.describe(a))
    }

    @Test(
        "an upgrade the front refuses with 403 reads as a handshake rejection from the HAR, status and all",
        .enabled(if: enabled, reason), .timeLimit(.minutes(3)))
    func handshakeRejection() async throws {
        let (a, har) = try await record(
            faults: ["reject-upgrade:status=403"],
            plan: #"{"durationMs": 2500, "sockets": [{"url": "ws://127.0.0.1:{front}/chat"}]}"#)
        defer { try? FileManager.default.removeItem(at: har.deletingLastPathComponent()) }
        let c = try #require(a.connections.first, Self.describe(a))
        #expect(c.observed.hasPrefix("HTTP 403"), Self.describe(a))
        #expect(c.verdict.layer != .healthy && c.verdict.evidence.contains { $0.rule == "handshake-status" }, Self.describe(a))
    }

    @Test(
        "three sockets opened 600 ms apart and cut together by a proxy reload, then reopened, read as one reload across the HAR's entries",
        .enabled(if: enabled, reason), .timeLimit(.minutes(3)))
    func clusteredEnds() async throws {
        let (a, har) = try await record(
            faults: [],
            plan: #"""
                {"durationMs": 6000,
                 "sockets": [
                   {"url": "ws://127.0.0.1:{front}/a", "atMs": 0, "sendEveryMs": 400, "reconnect": true},
                   {"url": "ws://127.0.0.1:{front}/b", "atMs": 600, "sendEveryMs": 400, "reconnect": true},
                   {"url": "ws://127.0.0.1:{front}/c", "atMs": 1200, "sendEveryMs": 400, "reconnect": true}],
                 "posts": [{"atMs": 2600, "url": "http://127.0.0.1:{admin}/faults", "json": {"name": "reload", "parameters": {"after": "0s"}}}]}
                """#)
        defer { try? FileManager.default.removeItem(at: har.deletingLastPathComponent()) }
        #expect(a.connections.count == 6, "three sockets and their reconnects: \(Self.describe(a))")
        let together = try #require(a.together, Self.describe(a))
        #expect(together.cause == .reloadDrain, Self.describe(a))
    }

    /// The built `ws1011` binary.
    static let binary: URL = InteropPeer.packageRoot.appendingPathComponent(".build/debug/ws1011")
}
