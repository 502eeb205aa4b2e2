import Foundation
import NIOCore
import NIOPosix
import Testing

/// `ws1011 lab` and `ws1011 proxy` as a user starts them, with secrets from files, standard input and the
/// environment, on loopback and on every interface. Runs the built binary (see ``CLITests``).
@Suite("ws1011 command line: secrets and exposure", .serialized)
struct CLIExposureTests {
    /// A `ws1011` server command running until ``stop()``; its output goes to files read while it runs.
    final class Running: @unchecked Sendable {
        let process = Process()
        let dir: URL
        let out: URL
        let err: URL

        /// Starts `arguments` with `environment` added (and WS1011_JWT_SECRET / WS1011_ADMIN_TOKEN removed unless
        /// given), `stdin` written to its standard input, then waits (bounded) until it prints "Ctrl-C to stop." or exits.
        init(_ arguments: [String], environment: [String: String] = [:], stdin: String? = nil, startTimeout: Duration = .seconds(30))
            async throws
        {
            dir = FileManager.default.temporaryDirectory.appendingPathComponent("ws1011-cli-\(UUID().uuidString)")
            try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
            out = dir.appendingPathComponent("out")
            err = dir.appendingPathComponent("err")
            _ = FileManager.default.createFile(atPath: out.path, contents: nil)
            _ = FileManager.default.createFile(atPath: err.path, contents: nil)
            process.executableURL = CLITests.binary
            process.arguments = arguments
            var env = ProcessInfo.processInfo.environment
            env["WS1011_JWT_SECRET"] = nil
            env["WS1011_ADMIN_TOKEN"] = nil
            env.merge(environment) { $1 }
            process.environment = env
            process.standardOutput = try FileHandle(forWritingTo: out)
            process.standardError = try FileHandle(forWritingTo: err)
            let input = Pipe()
            process.standardInput = input
            try process.run()
            if let stdin { input.fileHandleForWriting.write(Data(stdin.utf8)) }
            try input.fileHandleForWriting.close()
            let deadline = ContinuousClock.now + startTimeout
            while process.isRunning, !stdout.contains("Ctrl-C to stop."), ContinuousClock.now < deadline {
                try await Task.sleep(for: .milliseconds(20))
            }
        }

        var stdout: String { (try? String(contentsOf: out, encoding: .utf8)) ?? "" }
        var stderr: String { (try? String(contentsOf: err, encoding: .utf8)) ?? "" }
        var isRunning: Bool { process.isRunning }

        /// SIGTERM, then (bounded) SIGKILL; returns the exit status.
        @discardableResult
        func stop() async throws -> Int32 {
            if process.isRunning { kill(process.processIdentifier, SIGTERM) }
            let deadline = ContinuousClock.now + .seconds(5)
            while process.isRunning, ContinuousClock.now < deadline { try await Task.sleep(for: .milliseconds(20)) }
            if process.isRunning {
                kill(process.processIdentifier, SIGKILL)
                process.waitUntilExit()
            }
            return process.terminationStatus
        }

        deinit {
            if process.isRunning { kill(process.processIdentifier, SIGKILL) }
            try? FileManager.default.removeItem(at: dir)
        }
    }

    /// The first `http://…` or `ws://…` URL on the line that contains `label`.
    static func url(after label: String, in text: String) -> String? {
        guard let line = text.split(separator: "\n").first(where: { $0.contains(label) }) else { return nil }
        return line.split(separator: " ").first { $0.hasPrefix("http://") || $0.hasPrefix("ws://") }.map(String.init)
    }

    /// One HTTP/1.1 request to 127.0.0.1:`port` with `Connection: close`; the status and body (bounded by 5 s).
    static func http(port: Int, _ method: String, _ path: String, headers: [String: String] = [:], body: String = "") async throws -> (
        Int, String
    ) {
        var request = "\(method) \(path) HTTP/1.1\r\nHost: 127.0.0.1:\(port)\r\nConnection: close\r\nContent-Length: \(body.utf8.count)\r\n"
        for (name, value) in headers { request += "\(name): \(value)\r\n" }
        request += "\r\n" + body
        let socket = try await ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .connectTimeout(.seconds(2))
            .connect(host: "127.0.0.1", port: port) { channel in
                channel.eventLoop.makeCompletedFuture { try NIOAsyncChannel<ByteBuffer, ByteBuffer>(wrappingChannelSynchronously: channel) }
            }
        var response = ""
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask {
                try await Task.sleep(for: .seconds(5))
                socket.channel.close(promise: nil)
            }
            try await socket.executeThenClose { inbound, outbound in
                try await outbound.write(ByteBuffer(string: request))
                for try await chunk in inbound { response += String(buffer: chunk) }
            }
            group.cancelAll()
        }
        let status = response.split(separator: " ", maxSplits: 2).dropFirst().first.flatMap { Int($0) } ?? 0
        return (status, response.components(separatedBy: "\r\n\r\n").dropFirst().joined(separator: "\r\n\r\n"))
    }

    static func port(of url: String) -> Int? {
        guard let components = URLComponents(string: url) else { return nil }
        return components.port
    }

    func temporaryFile(_ contents: String) throws -> URL {
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("ws1011-secret-\(UUID().uuidString)")
        try Data(contents.utf8).write(to: file)
        return file
    }

    // MARK: - Lab

    @Test func theLabRefusesItsPublicSecretOffLoopbackNamingTheFix() async throws {
        // Without WS1011_JWT_SECRET, whatever the environment of the test run holds (Running removes it).
        let lab = try await Running(["lab", "--host", "0.0.0.0", "--port", "0"], startTimeout: .seconds(15))
        #expect(try await lab.stop() == 2, "\(lab.stdout)\n\(lab.stderr)")
        #expect(lab.stderr.contains("public"), "\(lab.stderr)")
        #expect(lab.stderr.contains("--secret-file"), "\(lab.stderr)")
        #expect(lab.stderr.contains("WS1011_JWT_SECRET"), "\(lab.stderr)")
        #expect(!lab.stdout.contains("lab running"))
        let short = try await Running(["lab", "--host", "0.0.0.0", "--secret", "short-one"], startTimeout: .seconds(15))
        #expect(try await short.stop() == 2, "\(short.stderr)")
        #expect(short.stderr.contains("at least 32"), "\(short.stderr)")
        #expect(!short.stderr.contains("short-one"))
    }

    @Test(arguments: [
        ("line one\nline two\n", "line feed"),
        ("", "empty"),
        ("\n", "empty"),
        ("tab\tinside", "a tab"),
    ])
    func aSecretFileWithAnEmptyOrMultiLineSecretIsAUsageError(_ contents: String, _ problem: String) async throws {
        let file = try temporaryFile(contents)
        defer { try? FileManager.default.removeItem(at: file) }
        let r = try await CLITests.run(["lab", "--secret-file", file.path], timeout: .seconds(15))
        #expect(r.status == 2, "\(r.stdout)\n\(r.stderr)")
        #expect(r.stderr.contains(problem), "\(r.stderr)")
        #expect(r.stderr.contains("--secret-file"), "the message names the option: \(r.stderr)")
        #expect(!r.stderr.contains("line two") && !r.stderr.contains("inside"), "the secret is never echoed: \(r.stderr)")
        let missing = try await CLITests.run(["lab", "--secret-file", file.path + "-missing"], timeout: .seconds(15))
        #expect(missing.status == 2)
        #expect(missing.stderr.contains("no such file"), "\(missing.stderr)")
    }

    /// A 7-byte staging secret (read from standard input) traps nowhere: the lab warns and serves, and `diagnose
    /// --secret` mints a token the lab accepts.
    @Test func aShortSecretWarnsAndWorksEndToEnd() async throws {
        let secret = "staging"
        let lab = try await Running(["lab", "--secret-file", "-"], stdin: secret + "\n")
        #expect(lab.isRunning, "\(lab.stdout)\n\(lab.stderr)")
        #expect(lab.stderr.contains("warning"), "\(lab.stderr)")
        #expect(lab.stderr.contains("7 bytes"), "\(lab.stderr)")
        let websocket = try #require(Self.url(after: "WebSocket:", in: lab.stdout), "\(lab.stdout)")
        let diagnose = try await CLITests.run(
            ["diagnose", websocket, "--profile", "reference", "--secret", secret, "--user", "websocket-test-1@netra-testing.example.com"],
            timeout: .seconds(60))
        #expect(diagnose.status == 0, "\(diagnose.stdout)\n\(diagnose.stderr)")
        #expect(diagnose.stdout.contains("Verdict: HEALTHY"), "\(diagnose.stdout)")
        #expect(!diagnose.stderr.contains("Fatal error"))
        for output in [lab.stdout, lab.stderr] { #expect(!output.contains("staging\n") && !output.contains("'staging'")) }
        #expect(try await lab.stop() == 0)
    }

    /// `diagnose` takes the signing secret without argv: from `WS1011_JWT_SECRET` (and says so) or `--secret-file -`;
    /// either mints a token the lab accepts, and the secret is in no output.
    @Test func diagnoseMintsWithASecretFromTheEnvironmentOrStandardInput() async throws {
        let secret = "env-secret-\(UUID().uuidString)"
        let lab = try await Running(["lab", "--port", "0"], environment: ["WS1011_JWT_SECRET": secret])
        #expect(lab.isRunning, "\(lab.stdout)\n\(lab.stderr)")
        let websocket = try #require(Self.url(after: "WebSocket:", in: lab.stdout), "\(lab.stdout)")
        let user = "websocket-test-1@netra-testing.example.com"
        let fromEnvironment = try await CLITests.run(
            ["diagnose", websocket, "--profile", "reference", "--user", user], timeout: .seconds(60),
            environment: ["WS1011_JWT_SECRET": secret])
        #expect(fromEnvironment.status == 0, "\(fromEnvironment.stdout)\n\(fromEnvironment.stderr)")
        #expect(
            fromEnvironment.stderr.contains("$WS1011_JWT_SECRET"),
            "the run does not say where the secret came from: \(fromEnvironment.stderr)")
        let fromStandardInput = try await CLITests.run(
            ["diagnose", websocket, "--profile", "reference", "--user", user, "--secret-file", "-"], timeout: .seconds(60),
            environment: ["WS1011_JWT_SECRET": ""], stdin: secret + "\n")
        #expect(fromStandardInput.status == 0, "\(fromStandardInput.stdout)\n\(fromStandardInput.stderr)")
        for output in [
            fromEnvironment.stdout, fromEnvironment.stderr, fromStandardInput.stdout, fromStandardInput.stderr, lab.stdout, lab.stderr,
        ] {
            #expect(!output.contains(secret))
        }
        #expect(try await lab.stop() == 0)
    }

    /// On every interface with a secret of its own: a loud warning, URLs a client can use, the secret never printed.
    /// (Bound for a few seconds; the test connects over loopback only.)
    @Test func theLabOnEveryInterfaceWarnsAndPrintsUsableURLs() async throws {
        let secret = "env-secret-\(UUID().uuidString)"
        let lab = try await Running(["lab", "--host", "0.0.0.0", "--port", "0"], environment: ["WS1011_JWT_SECRET": secret])
        #expect(lab.isRunning, "\(lab.stdout)\n\(lab.stderr)")
        #expect(lab.stderr.contains("WARNING"), "\(lab.stderr)")
        #expect(lab.stderr.contains("0.0.0.0"), "\(lab.stderr)")
        #expect(lab.stderr.contains("/auth/token"), "the warning says what others can do: \(lab.stderr)")
        let health = try #require(Self.url(after: "health:", in: lab.stdout), "\(lab.stdout)")
        #expect(health.hasPrefix("http://127.0.0.1:"), "\(health)")
        #expect(!lab.stdout.contains("://0.0.0.0"), "\(lab.stdout)")
        #expect(lab.stdout.contains("every interface"), "a note says how other machines reach it: \(lab.stdout)")
        let (status, _) = try await Self.http(port: try #require(Self.port(of: health)), "GET", "/health")
        #expect(status == 200)
        for output in [lab.stdout, lab.stderr] { #expect(!output.contains(secret)) }
        try await lab.stop()
    }

    // MARK: - Proxy

    @Test func proxyHelpDocumentsTheAdminAPIAndItsProtection() async throws {
        let r = try await CLITests.run(["proxy", "--help"], timeout: .seconds(15))
        #expect(r.status == 0)
        for text in [
            "GET    /faults", "POST   /faults", "DELETE /faults/NAME", "POST   /reset", "GET    /metrics",
            "Host", "DNS-rebinding", "Origin", "Content-Type: application/json", "--admin-token-file", "WS1011_ADMIN_TOKEN",
            "Authorization: Bearer",
        ] {
            #expect(r.stdout.contains(text), "--help lacks \(text)")
        }
    }

    /// The admin API on every interface with a token from the environment: a loud warning, a usable URL, changes
    /// only with the token, and the token in no output.
    @Test func theAdminAPIOnEveryInterfaceWarnsAndNeedsItsToken() async throws {
        let token = "admin-\(UUID().uuidString)"
        let proxy = try await Running(
            ["proxy", "--listen", "127.0.0.1:0", "--upstream", "127.0.0.1:1", "--admin", "0.0.0.0:0"],
            environment: ["WS1011_ADMIN_TOKEN": token])
        #expect(proxy.isRunning, "\(proxy.stdout)\n\(proxy.stderr)")
        #expect(proxy.stderr.contains("WARNING"), "\(proxy.stderr)")
        #expect(proxy.stderr.contains("admin API"), "\(proxy.stderr)")
        let admin = try #require(Self.url(after: "admin:", in: proxy.stdout), "\(proxy.stdout)")
        #expect(admin.hasPrefix("http://127.0.0.1:"), "\(admin)")
        let port = try #require(Self.port(of: admin))
        let refused = try await Self.http(
            port: port, "POST", "/faults", headers: ["Content-Type": "application/json"], body: #"{"name":"blackhole"}"#)
        #expect(refused.0 == 401, "\(refused)")
        let accepted = try await Self.http(
            port: port, "POST", "/faults", headers: ["Content-Type": "application/json", "Authorization": "Bearer \(token)"],
            body: #"{"name":"blackhole"}"#)
        #expect(accepted.0 == 201, "\(accepted)")
        #expect(accepted.1.contains("blackhole"))
        try await proxy.stop()
        for output in [proxy.stdout, proxy.stderr] { #expect(!output.contains(token)) }
    }

    @Test func theAdminTokenFileMustHoldOneWord() async throws {
        let file = try temporaryFile("two words\n")
        defer { try? FileManager.default.removeItem(at: file) }
        let r = try await CLITests.run(
            ["proxy", "--listen", "127.0.0.1:0", "--upstream", "127.0.0.1:1", "--admin", "127.0.0.1:0", "--admin-token-file", file.path],
            timeout: .seconds(15))
        #expect(r.status == 2, "\(r.stdout)\n\(r.stderr)")
        #expect(r.stderr.contains("space"), "\(r.stderr)")
        #expect(!r.stderr.contains("two words"))
        let orphan = try await CLITests.run(
            ["proxy", "--listen", "127.0.0.1:0", "--upstream", "127.0.0.1:1", "--admin-token-file", file.path], timeout: .seconds(15))
        #expect(orphan.status == 2)
        #expect(orphan.stderr.contains("--admin"), "\(orphan.stderr)")
    }
}
