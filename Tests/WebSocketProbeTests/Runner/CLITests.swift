import Foundation
import NIOCore
import NIOPosix
import Testing

/// Runs the built `ws1011` binary (`.build/debug/ws1011`, found from this file's path) and checks
/// exit codes and messages. Build it first (`swift build`); `make test` does.
@Suite("ws1011 command line", .serialized)
struct CLITests {
    struct Result {
        var status: Int32
        var stdout: String
        var stderr: String
    }

    static let binary: URL = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent(".build/debug/ws1011")

    /// Runs the binary with `arguments`, killing it after `timeout`. Waits with `Task.sleep`, never by blocking a
    /// thread: the test process has as many cooperative threads as cores (2 here), and a blocked one stalls every
    /// other test running in parallel.
    static func run(
        _ arguments: [String], timeout: Duration = .seconds(30), environment: [String: String] = [:],
        stdin: String? = nil, currentDirectory: URL? = nil
    ) async throws -> Result {
        guard FileManager.default.isExecutableFile(atPath: binary.path) else {
            Issue.record("\(binary.path) is missing: run `swift build` before the tests")
            return Result(status: -1, stdout: "", stderr: "")
        }
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("ws1011-cli-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let out = dir.appendingPathComponent("out"), err = dir.appendingPathComponent("err")
        _ = FileManager.default.createFile(atPath: out.path, contents: nil)
        _ = FileManager.default.createFile(atPath: err.path, contents: nil)
        let process = Process()
        process.executableURL = binary
        process.arguments = arguments
        if let currentDirectory { process.currentDirectoryURL = currentDirectory }
        if !environment.isEmpty {
            process.environment = ProcessInfo.processInfo.environment.merging(environment) { _, new in new }
        }
        if let stdin {
            let input = dir.appendingPathComponent("in")
            FileManager.default.createFile(atPath: input.path, contents: Data(stdin.utf8))
            process.standardInput = try FileHandle(forReadingFrom: input)
        } else {
            process.standardInput = FileHandle.nullDevice
        }
        process.standardOutput = try FileHandle(forWritingTo: out)
        process.standardError = try FileHandle(forWritingTo: err)
        try process.run()
        let deadline = ContinuousClock.now + timeout
        while process.isRunning && ContinuousClock.now < deadline { try await Task.sleep(for: .milliseconds(20)) }
        if process.isRunning {
            process.terminate()
            Issue.record("ws1011 \(arguments.joined(separator: " ")) did not finish within \(timeout)")
        }
        // Bounded: a terminated process exits at once.
        let exitDeadline = ContinuousClock.now + .seconds(5)
        while process.isRunning && ContinuousClock.now < exitDeadline { try await Task.sleep(for: .milliseconds(20)) }
        if process.isRunning {
            kill(process.processIdentifier, SIGKILL)
            process.waitUntilExit()
        }
        return Result(
            status: process.terminationStatus,
            stdout: (try? String(contentsOf: out, encoding: .utf8)) ?? "",
            stderr: (try? String(contentsOf: err, encoding: .utf8)) ?? "")
    }

    @Test func malformedURLIsAUsageErrorNamingTheURL() async throws {
        let r = try await Self.run(["diagnose", "http//not a url"])
        #expect(r.status == 2)
        #expect(r.stderr.contains("http//not a url"))
        #expect(r.stderr.contains("ws://"))
        #expect(!r.stderr.contains("Fatal error"))
    }

    @Test func httpSchemeIsRejectedWithAHint() async throws {
        let r = try await Self.run(["diagnose", "http://127.0.0.1:1/ws"])
        #expect(r.status == 2)
        #expect(r.stderr.contains("http://127.0.0.1:1/ws"))
    }

    @Test(arguments: [
        (["--connect-timeout", "10"], "--connect-timeout"),
        (["--header", "NoColonHere"], "NoColonHere"),
        (["--ca-file", "/nonexistent/ca.pem"], "/nonexistent/ca.pem"),
        (["--profile", "fancy"], "--profile"),
        (["--secret", "abcdefgh"], "--user"),
        (["--keepalive", "5s"], "INTERVAL:TIMEOUT"),
        (["--keepalive", "5s:soon"], "--keepalive"),
        (["--message-size", "0"], "--message-size"),
        (["--connections", "0"], "--connections must be 1 to 1000"),
        (["--connections", "1001"], "--connections must be 1 to 1000"),
        (["--connections", "5", "--hold", "soon"], "--hold"),
        (["--hold", "5s"], "give --connections N too"),
        (["--origin", "app.example.com"], "--origin"),
        (["--origin", "https://app.example.com/page"], "--origin"),
        (["--origin", "https://app.example.com\r\nX-Injected: 1"], "--origin"),
    ])
    func badOptionIsAUsageErrorSayingWhatToFix(_ extra: [String], _ mentioned: String) async throws {
        let r = try await Self.run(["diagnose", "ws://127.0.0.1:1/ws"] + extra)
        #expect(r.status == 2, "\(r.stderr)")
        #expect(r.stderr.contains(mentioned), "\(r.stderr)")
    }

    @Test func unknownOptionIsExitCodeTwoNotSixtyFour() async throws {
        let r = try await Self.run(["diagnose", "ws://127.0.0.1:1/ws", "--no-such-option"])
        #expect(r.status == 2)
        #expect(r.stderr.contains("--no-such-option"))
    }

    @Test func closedPortIsADiagnosedFailureAndTheTokenNeverPrints() async throws {
        let closed = try ClosedPort()  // bound, never listening: refuses, and no other test can take the port
        defer { withExtendedLifetime(closed) {} }
        let port = closed.port
        let secret = "cli-secret-token-\(UUID().uuidString)"
        let json = FileManager.default.temporaryDirectory.appendingPathComponent("ws1011-\(UUID().uuidString).json")
        let junit = FileManager.default.temporaryDirectory.appendingPathComponent("ws1011-\(UUID().uuidString).xml")
        let html = FileManager.default.temporaryDirectory.appendingPathComponent("ws1011-\(UUID().uuidString).html")
        defer {
            try? FileManager.default.removeItem(at: json)
            try? FileManager.default.removeItem(at: junit)
            try? FileManager.default.removeItem(at: html)
        }
        let r = try await Self.run([
            "diagnose", "ws://127.0.0.1:\(port)/ws?token=\(secret)", "--token", secret, "--connect-timeout", "2s",
            "--json", json.path, "--junit", junit.path, "--html", html.path,
        ])
        #expect(r.status == 1, "\(r.stdout)\n\(r.stderr)")
        #expect(r.stdout.contains("network.connection-refused"))
        let jsonText = try String(contentsOf: json, encoding: .utf8)
        let junitText = try String(contentsOf: junit, encoding: .utf8)
        #expect(jsonText.contains("\"ws1011.report/1\""))
        #expect(junitText.contains("<testcase"))
        // The run exits 1, so the JUnit's verdict case fails with the summary.
        #expect(junitText.contains(#"<testcase classname="ws1011" name="verdict" time="0.000">"# + "\n" + #"      <failure message=""#))
        let htmlText = try String(contentsOf: html, encoding: .utf8)
        #expect(htmlText.contains(#"<section id="verdict" class="verdict layer-network">"#))
        #expect(htmlText.contains("network.connection-refused"))
        #expect(htmlText.contains(#"<g class="lane" data-lane="main">"#))
        for output in [r.stdout, r.stderr, jsonText, junitText, htmlText] { #expect(!output.contains(secret)) }
    }

    @Test func aMalformedScenarioFileIsAConfigurationErrorNamingTheFileAndTheField() async throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("ws1011-catalog-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let file = dir.appendingPathComponent("broken-case.json")
        try Data(#"{"id": "broken-case", "title": 3}"#.utf8).write(to: file)
        let r = try await Self.run(["scenarios", "--catalog", dir.path])
        #expect(r.status == 2, "stderr: \(r.stderr)")
        #expect(r.stderr.contains("broken-case.json"), "the message names the file: \(r.stderr)")
        #expect(r.stderr.contains("'title'"), "the message names the field: \(r.stderr)")
    }

    @Test func proxyWithAnUnknownFaultListsTheValidOnes() async throws {
        let r = try await Self.run(["proxy", "--listen", "127.0.0.1:0", "--upstream", "127.0.0.1:1", "--fault", "no-such-fault"])
        #expect(r.status == 2)
        #expect(r.stderr.contains("no-such-fault"))
        #expect(r.stderr.contains("idle-timeout"))
    }

    @Test(arguments: [
        (["lab", "--app-fault", "no-such-fault"], "no-such-fault"),
        (["lab", "--tls", "rusty"], "rusty"),
        (["lab", "--port", "70000"], "--port"),
        (["proxy", "--listen", "nonsense", "--upstream", "127.0.0.1:1"], "nonsense"),
        (["proxy", "--listen", "127.0.0.1:0", "--upstream", "127.0.0.1:1", "--preset", "heroku"], "heroku"),
        (["proxy", "--listen", "127.0.0.1:0", "--upstream", "127.0.0.1:1", "--http2"], "--http2 needs --tls"),
        (["proxy", "--listen", "127.0.0.1:0", "--upstream", "127.0.0.1:1", "--fault", "h2-connect-broken"], "add --http2"),
    ])
    func badLabOrProxyOptionIsAUsageError(_ arguments: [String], _ mentioned: String) async throws {
        let r = try await Self.run(arguments, timeout: .seconds(10))
        #expect(r.status == 2, "\(r.stdout)\n\(r.stderr)")
        #expect(r.stderr.contains(mentioned), "\(r.stderr)")
    }

    @Test(arguments: [
        (["diagnose", "--http2", "ws://127.0.0.1:1/"], "--http2 needs a wss:// URL"),
        (["diagnose", "--http2", "--no-h2", "wss://127.0.0.1:1/"], "contradict"),
    ])
    func http2WithoutTLSOrWithNoH2IsAUsageError(_ arguments: [String], _ mentioned: String) async throws {
        let r = try await Self.run(arguments, timeout: .seconds(10))
        #expect(r.status == 2, "\(r.stdout)\n\(r.stderr)")
        #expect(r.stderr.contains(mentioned), "\(r.stderr)")
    }

    @Test func versionNamesTheReleaseAndTheReportContracts() async throws {
        let r = try await Self.run(["--version"], timeout: .seconds(10))
        #expect(r.status == 0, "\(r.stderr)")
        #expect(r.stdout.hasPrefix("ws1011 "), "\(r.stdout)")
        #expect(r.stdout.contains("ws1011.report/1"), "\(r.stdout)")
    }

    @Test(arguments: ["--json", "--junit", "--html"])
    func anOutputPathThatCannotBeWrittenIsAUsageErrorBeforeTheRun(_ option: String) async throws {
        let listener = try ClosedPort()
        defer { withExtendedLifetime(listener) {} }
        let missing = "/nonexistent-\(UUID().uuidString)/report.out"
        let r = try await Self.run(["diagnose", "ws://127.0.0.1:\(listener.port)/ws", option, missing], timeout: .seconds(10))
        #expect(r.status == 2, "\(r.stdout)\n\(r.stderr)")
        #expect(r.stderr.contains(option) && r.stderr.contains(missing) && r.stderr.contains("does not exist"), "\(r.stderr)")
        #expect(!r.stdout.contains("Verdict"), "the run must not start: \(r.stdout)")
        let folder = try #require(FileManager.default.temporaryDirectory.path.isEmpty ? nil : FileManager.default.temporaryDirectory.path)
        let asFolder = try await Self.run(["diagnose", "ws://127.0.0.1:\(listener.port)/ws", option, folder], timeout: .seconds(10))
        #expect(asFolder.status == 2 && asFolder.stderr.contains("is a folder"), "\(asFolder.stderr)")
    }

    @Test func inTheCLocaleTheReportUsesASCIIGlyphs() async throws {
        let closed = try ClosedPort()
        defer { withExtendedLifetime(closed) {} }
        let r = try await Self.run(
            ["diagnose", "ws://127.0.0.1:\(closed.port)/ws", "--connect-timeout", "2s"],
            environment: ["LC_ALL": "", "LC_CTYPE": "", "LANG": "C"])
        #expect(r.status == 1, "\(r.stdout)\n\(r.stderr)")
        #expect(r.stdout.contains("  x connect"), "\(r.stdout)")
        #expect(r.stdout.unicodeScalars.allSatisfy { $0.isASCII }, "\(r.stdout)")
        #expect(r.stdout.split(separator: "\n").allSatisfy { $0.count <= 80 }, "\(r.stdout)")
    }

    @Test func diagnoseWithoutURLEndsHealthyAgainstTheEmbeddedLab() async throws {
        let r = try await Self.run(["diagnose"], timeout: .seconds(60))
        #expect(r.status == 0, "\(r.stdout)\n\(r.stderr)")
        #expect(r.stdout.contains("Verdict: HEALTHY"))
        #expect(r.stdout.contains("✓ agent-events"))
    }

}
