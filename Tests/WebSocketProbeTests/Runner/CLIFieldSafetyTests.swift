import Foundation
import Synchronization
import Testing
import WebSocketDiagnosis
import WebSocketProbe

/// The CLI when it is pointed at production by someone under pressure: hostile text on the terminal,
/// closed pipes and full disks, absurd sizes, damaged files, credentials with control characters, runs
/// cut short by --max-time or Ctrl-C.
@Suite("ws1011 command line in the field", .serialized)
struct CLIFieldSafetyTests {
    /// A running `ws1011` with its output in files; stdin is /dev/null.
    final class Spawned: @unchecked Sendable {
        let process = Process()
        let dir: URL
        var stdoutPath: URL { dir.appendingPathComponent("out") }
        var stderrPath: URL { dir.appendingPathComponent("err") }

        init(_ arguments: [String], stdout: FileHandle? = nil) throws {
            dir = FileManager.default.temporaryDirectory.appendingPathComponent("ws1011-field-\(UUID().uuidString)")
            try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
            FileManager.default.createFile(atPath: stdoutPath.path, contents: nil)
            FileManager.default.createFile(atPath: stderrPath.path, contents: nil)
            process.executableURL = CLITests.binary
            process.arguments = arguments
            process.standardInput = FileHandle.nullDevice
            process.standardOutput = try stdout ?? FileHandle(forWritingTo: stdoutPath)
            process.standardError = try FileHandle(forWritingTo: stderrPath)
            try process.run()
        }

        /// Waits (bounded) for the exit; kills the process and records an issue past `bound`.
        func exit(within bound: Duration) async throws -> Int32 {
            let deadline = ContinuousClock.now + bound
            while process.isRunning && ContinuousClock.now < deadline { try await Task.sleep(for: .milliseconds(20)) }
            if process.isRunning {
                Issue.record("ws1011 \(process.arguments ?? []) still running after \(bound)")
                kill(process.processIdentifier, SIGKILL)
                process.waitUntilExit()
            }
            return process.terminationStatus
        }

        var stdout: String { (try? String(contentsOf: stdoutPath, encoding: .utf8)) ?? "" }
        var stderr: String { (try? String(contentsOf: stderrPath, encoding: .utf8)) ?? "" }

        deinit { try? FileManager.default.removeItem(at: dir) }
    }

    // MARK: - The terminal belongs to the user

    @Test("Escape sequences in a reason phrase, header, body and close reason are printed visibly, never raw")
    func controlCharactersArePrintedVisibly() async throws {
        let evil = "\u{1B}]0;pwned\u{07}\u{1B}[2J\r\nVerdict: HEALTHY  cause healthy\u{202E}"
        let server = try await HostileServer.start { peer in
            let request = try await peer.readRequest()
            if request.hasPrefix("GET /reject") {
                let body = "denied \(evil)"
                try await peer.write(
                    "HTTP/1.1 403 Forbidden \u{1B}[31mRED\u{1B}[0m\u{07}\r\nX-Evil: \u{1B}]2;title\u{07}\r\nContent-Length: \(body.utf8.count)\r\n\r\n\(body)"
                )
                return
            }
            try await peer.write(
                "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: \(peer.acceptValue)\r\n\r\n"
            )
            try await peer.write(
                HostileFrame.frame(0x1, Array("event \(evil)".utf8))
                    + HostileFrame.frame(0x8, [0x03, 0xF3] + Array("bye \(evil)".utf8.prefix(100))))
            await peer.drain()
        }
        defer { Task { await server.stop() } }
        for path in ["/reject", "/ws"] {
            let json = FileManager.default.temporaryDirectory.appendingPathComponent("ws1011-escape-\(UUID().uuidString).json").path
            defer { try? FileManager.default.removeItem(atPath: json) }
            let r = try await CLITests.run(["diagnose", "ws://127.0.0.1:\(server.port)\(path)", "--message-timeout", "1s", "--json", json])
            #expect(r.status == 1, "\(path): exit \(r.status)\n\(r.stderr)")
            // JSON keeps the exact text, escaped as JSON escapes it: no raw escape byte, the text decodes back whole.
            let data = try Data(contentsOf: URL(fileURLWithPath: json))
            #expect(
                !data.contains(0x1B) && String(decoding: data, as: UTF8.self).contains("\\u001b"),
                "\(path): the JSON report is not JSON-escaped")
            if path == "/reject" {
                let report = try JSONReportRenderer.decode(data)
                #expect(
                    report.transcript.handshake?.reasonPhrase?.contains("\u{1B}[31mRED\u{1B}[0m") == true,
                    "the JSON report altered the reason phrase: \(String(describing: report.transcript.handshake?.reasonPhrase))")
            }
            for (name, text) in [("stdout", r.stdout), ("stderr", r.stderr)] {
                #expect(
                    !text.unicodeScalars.contains { $0.value == 0x1B || $0.value == 0x07 || $0.value == 0x202E },
                    "\(path): \(name) carries a raw control character")
            }
            #expect(r.stdout.contains("\\x1b"), "\(path): the escape is not shown visibly:\n\(r.stdout)")
            // The fake verdict line stays inside the line that quotes it.
            #expect(
                !r.stdout.split(separator: "\n").contains { $0.hasPrefix("Verdict: HEALTHY") },
                "\(path): a peer drew a verdict line:\n\(r.stdout)")
        }
    }

    // MARK: - No crash on ordinary misuse

    @Test("Output to a closed pipe ends quietly with the command's own exit code")
    func closedPipeIsNotACrash() async throws {
        let closed = try ClosedPort()
        let pipe = Pipe()
        let spawned = try Spawned(["diagnose", "ws://127.0.0.1:\(closed.port)/ws"], stdout: pipe.fileHandleForWriting)
        // The reader goes away before anything is written.
        try pipe.fileHandleForReading.close()
        try pipe.fileHandleForWriting.close()
        let status = try await spawned.exit(within: .seconds(30))
        #expect(status == 1, "exit \(status): \(spawned.stderr)")
        #expect(!spawned.stderr.contains("Fatal error"), "\(spawned.stderr)")
        #expect(spawned.process.terminationReason == .exit, "killed by a signal instead of exiting")
    }

    @Test("The lab writing to a closed pipe keeps running and stops cleanly on SIGINT")
    func labWithAClosedPipeStopsCleanly() async throws {
        let pipe = Pipe()
        let spawned = try Spawned(["lab", "--port", "0"], stdout: pipe.fileHandleForWriting)
        try pipe.fileHandleForReading.close()
        try pipe.fileHandleForWriting.close()
        try await Task.sleep(for: .seconds(2))
        #expect(spawned.process.isRunning, "the lab died when its output pipe closed: \(spawned.stderr)")
        kill(spawned.process.processIdentifier, SIGINT)
        let status = try await spawned.exit(within: .seconds(15))
        #expect(status == 0, "exit \(status): \(spawned.stderr)")
        #expect(!spawned.stderr.contains("Fatal error"), "\(spawned.stderr)")
    }

    @Test(
        "The TLS proxy's CA file exists while it runs, readable by its owner only, and is gone once it stops", arguments: ["proxy", "lab"])
    func theCAFileLeavesNothingBehind(command: String) async throws {
        let closed = try ClosedPort()
        let arguments =
            command == "proxy"
            ? ["proxy", "--listen", "127.0.0.1:0", "--upstream", "127.0.0.1:\(closed.port)", "--tls", "valid"]
            : ["lab", "--port", "0", "--tls", "valid"]
        let spawned = try Spawned(arguments)
        let deadline = ContinuousClock.now + .seconds(20)
        var path: String?
        while path == nil, spawned.process.isRunning, ContinuousClock.now < deadline {
            path = spawned.stdout.split(separator: "\n").first { $0.contains("CA file:") }
                .flatMap { $0.split(separator: " ").first { $0.hasSuffix(".pem") } }.map(String.init)
            if path == nil { try await Task.sleep(for: .milliseconds(50)) }
        }
        let pem = try #require(path, "no CA file line: \(spawned.stdout)\n\(spawned.stderr)")
        let attributes = try FileManager.default.attributesOfItem(atPath: pem)
        #expect((attributes[.posixPermissions] as? Int) == 0o600)
        #expect(try String(contentsOfFile: pem, encoding: .utf8).contains("BEGIN CERTIFICATE"))
        kill(spawned.process.processIdentifier, SIGINT)
        let status = try await spawned.exit(within: .seconds(15))
        #expect(status == 0, "exit \(status): \(spawned.stderr)")
        #expect(!FileManager.default.fileExists(atPath: pem), "\(pem) left behind")
    }

    @Test("A full disk on stdout is an error message and exit 2")
    func fullDiskIsExitTwo() async throws {
        let closed = try ClosedPort()
        let full = try #require(FileHandle(forWritingAtPath: "/dev/full"))
        let spawned = try Spawned(["diagnose", "ws://127.0.0.1:\(closed.port)/ws"], stdout: full)
        let status = try await spawned.exit(within: .seconds(30))
        #expect(status == 2, "exit \(status): \(spawned.stderr)")
        #expect(spawned.stderr.contains("No space left on device"), "\(spawned.stderr)")
        #expect(!spawned.stderr.contains("Fatal error"), "\(spawned.stderr)")
    }

    @Test("An absurd --message-size is exit 2 before any connection, naming the limit")
    func absurdMessageSizeIsAUsageError() async throws {
        let closed = try ClosedPort()
        let r = try await CLITests.run(["diagnose", "ws://127.0.0.1:\(closed.port)/ws", "--message-size", "99999999999"])
        #expect(r.status == 2, "exit \(r.status): \(r.stderr)")
        #expect(r.stderr.contains("--message-size") && r.stderr.contains("67108864"), "\(r.stderr)")
        #expect(r.stdout.isEmpty, "it connected anyway:\n\(r.stdout)")
    }

    @Test("A damaged PEM in --ca-file is exit 2 naming the file, not a false connect")
    func damagedCAFileIsAUsageError() async throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("ws1011-bad-\(UUID().uuidString).pem").path
        FileManager.default.createFile(
            atPath: path, contents: Data("-----BEGIN CERTIFICATE-----\nbm90IGEgY2VydGlmaWNhdGU=\n-----END CERTIFICATE-----\n".utf8))
        defer { try? FileManager.default.removeItem(atPath: path) }
        let closed = try ClosedPort()
        let r = try await CLITests.run(["diagnose", "wss://127.0.0.1:\(closed.port)/ws", "--ca-file", path])
        #expect(r.status == 2, "exit \(r.status): \(r.stdout)\(r.stderr)")
        #expect(r.stderr.contains(path), "\(r.stderr)")
        #expect(!r.stdout.contains("✓ connect"), "\(r.stdout)")
    }

    @Test(
        "A credential with a line feed or another control character is exit 2 and is not shown",
        arguments: [
            ["--token", "tok-4711-secret\nX-Injected: 1"],
            ["--token", "tok-4711-secret\u{1B}[2J"],
            ["--header", "Authorization: Bearer tok-4711-secret", "--token", "tok-4711-secret\r"],
        ])
    func credentialWithControlCharactersIsRefused(_ extra: [String]) async throws {
        let closed = try ClosedPort()
        let r = try await CLITests.run(["diagnose", "ws://127.0.0.1:\(closed.port)/ws"] + extra)
        #expect(r.status == 2, "exit \(r.status): \(r.stderr)")
        #expect(r.stderr.contains("--token"), "\(r.stderr)")
        #expect(!r.stderr.contains("tok-4711-secret") && !r.stdout.contains("tok-4711-secret"), "\(r.stderr)")
    }

    @Test(
        "A token from the auth service with CR LF or ESC inside is exit 2 before any connection, not sent altered",
        arguments: [
            "tok-4711-secret\r\nX-Injected: yes", "tok-4711-secret\u{1B}[2J",
        ])
    func fetchedTokenWithControlCharactersIsRefused(_ token: String) async throws {
        let body = String(decoding: try JSONSerialization.data(withJSONObject: ["access_token": token]), as: UTF8.self)
        let auth = try await HostileServer.start { peer in
            _ = try await peer.readRequest()
            try await peer.write(
                "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: \(body.utf8.count)\r\nConnection: close\r\n\r\n\(body)"
            )
        }
        // The WebSocket server counts upgrade requests: none may arrive.
        let upgrades = HostileCounter()
        let server = try await HostileServer.start { peer in
            _ = try await peer.readRequest()
            _ = upgrades.next()
            try await peer.write("HTTP/1.1 401 Unauthorized\r\nContent-Length: 0\r\n\r\n")
        }
        defer {
            Task {
                await auth.stop(); await server.stop()
            }
        }
        let r = try await CLITests.run([
            "diagnose", "ws://127.0.0.1:\(server.port)/ws", "--auth-url", "http://127.0.0.1:\(auth.port)/auth/token",
            "--user", "u@example.com", "--message-timeout", "1s",
        ])
        #expect(r.status == 2, "exit \(r.status): \(r.stdout)\(r.stderr)")
        #expect(r.stderr.contains("access_token") && r.stderr.contains("auth service"), "\(r.stderr)")
        #expect(upgrades.next() == 0, "the altered token was sent")
        #expect(!(r.stdout + r.stderr).contains("tok-4711-secret") && !(r.stdout + r.stderr).contains("Injected"), "\(r.stdout)\(r.stderr)")
    }

    @Test("A header with CR LF inside cannot inject a second header: exit 2")
    func headerWithCRLFIsRefused() async throws {
        let closed = try ClosedPort()
        let r = try await CLITests.run(["diagnose", "ws://127.0.0.1:\(closed.port)/ws", "--header", "X-Trace: 1\r\nX-Injected: yes"])
        #expect(r.status == 2, "exit \(r.status): \(r.stderr)")
        #expect(r.stderr.contains("invalid header"), "\(r.stderr)")
        #expect(r.stdout.isEmpty, "it connected anyway:\n\(r.stdout)")
    }

    @Test(
        "A subprotocol with CR LF inside cannot inject a header: exit 2, the value not shown",
        arguments: [
            "chat\r\nX-Injected: yes", "jwt.abc\r\nX-Injected: yes", "two words",
        ])
    func subprotocolThatIsNotATokenIsRefused(_ entry: String) async throws {
        let closed = try ClosedPort()
        let r = try await CLITests.run(["diagnose", "ws://127.0.0.1:\(closed.port)/ws", "--subprotocol", entry])
        #expect(r.status == 2, "exit \(r.status): \(r.stderr)")
        #expect(r.stderr.contains("--subprotocol"), "\(r.stderr)")
        #expect(!r.stderr.contains("Injected") && r.stdout.isEmpty, "\(r.stdout)\(r.stderr)")
    }

    @Test("A cookie like consent=true or step=upgrade leaves the JSON report valid and decodable")
    func shortCookieValuesDoNotCorruptTheJSON() async throws {
        let closed = try ClosedPort()
        let json = FileManager.default.temporaryDirectory.appendingPathComponent("ws1011-cookie-\(UUID().uuidString).json").path
        defer { try? FileManager.default.removeItem(atPath: json) }
        let r = try await CLITests.run([
            "diagnose", "ws://127.0.0.1:\(closed.port)/ws", "--header", "Cookie: consent=true; step=upgrade", "--json", json,
        ])
        #expect(r.status == 1, "\(r.stderr)")
        let data = try Data(contentsOf: URL(fileURLWithPath: json))
        #expect((try? JSONSerialization.jsonObject(with: data)) != nil, "the JSON report does not parse")
        let report = try JSONReportRenderer.decode(data)
        #expect(report.steps.contains { $0.name == .upgrade })
    }

    @Test("A key in a custom header (Ocp-Apim-Subscription-Key) and an unquoted Bearer argument are never printed")
    func customKeyHeadersAndArgumentErrorsAreScrubbed() async throws {
        let closed = try ClosedPort()
        let json = FileManager.default.temporaryDirectory.appendingPathComponent("ws1011-key-\(UUID().uuidString).json").path
        defer { try? FileManager.default.removeItem(atPath: json) }
        let r = try await CLITests.run([
            "diagnose", "ws://127.0.0.1:\(closed.port)/ws", "--header", "Ocp-Apim-Subscription-Key: apim-0123456789abcdef",
            "--header", "X-Tenant-Secretish: tenantkey-777888999", "--json", json,
        ])
        let text = r.stdout + r.stderr + ((try? String(contentsOfFile: json, encoding: .utf8)) ?? "")
        #expect(!text.contains("apim-0123456789abcdef") && !text.contains("tenantkey-777888999"), "\(text)")
        // The shell split an unquoted header: ArgumentParser's own error would quote the token.
        let split = try await CLITests.run([
            "diagnose", "ws://127.0.0.1:\(closed.port)/ws", "--header", "Authorization:", "Bearer", "unquotedTOKEN998877",
        ])
        #expect(split.status == 2, "\(split.stderr)")
        #expect(!split.stderr.contains("unquotedTOKEN998877") && !split.stdout.contains("unquotedTOKEN998877"), "\(split.stderr)")
    }

    @Test("--max-time holds while the token fetch hangs: the partial report names the stop")
    func maxTimeHoldsDuringATokenFetch() async throws {
        // An auth service that accepts and never answers.
        let auth = try await HostileServer.start(scriptBound: .seconds(60)) { peer in await peer.drain() }
        defer { Task { await auth.stop() } }
        let closed = try ClosedPort()
        let started = ContinuousClock.now
        let r = try await CLITests.run(
            [
                "diagnose", "ws://127.0.0.1:\(closed.port)/ws", "--auth-url", "http://127.0.0.1:\(auth.port)/auth/token",
                "--user", "u@example.com", "--connect-timeout", "20s", "--message-timeout", "20s", "--max-time", "2s",
            ],
            timeout: .seconds(60))
        let took = ContinuousClock.now - started
        // Configured 2 s plus the 2 s grace; without the race the fetch would wait its 40 s bound.
        #expect(took < .seconds(15), "a 2 s --max-time run took \(took)")
        #expect(r.status == 1, "exit \(r.status): \(r.stdout)\(r.stderr)")
        #expect(r.stdout.contains("inconclusive.interrupted") && r.stdout.contains("token"), "\(r.stdout)")
    }

    @Test("--token-file - reads the token from standard input, never shown")
    func tokenFromStandardInput() async throws {
        let server = try await HostileServer.start { peer in
            let request = try await peer.readRequest()
            let body = "echo: \(request)"
            try await peer.write("HTTP/1.1 401 Unauthorized\r\nContent-Length: \(body.utf8.count)\r\n\r\n\(body)")
        }
        defer { Task { await server.stop() } }
        let r = try await CLITests.run(
            ["diagnose", "ws://127.0.0.1:\(server.port)/ws", "--token-file", "-"], stdin: "opaque-token-from-stdin-42\n")
        #expect(r.status == 1, "exit \(r.status): \(r.stderr)")
        #expect(r.stdout.contains("Bearer <redacted>") || r.stdout.contains("401"), "\(r.stdout)")
        #expect(!r.stdout.contains("opaque-token-from-stdin-42") && !r.stderr.contains("opaque-token-from-stdin-42"))
    }

    @Test("--token-file reads a pipe as `<(vault read …)` gives it, and names a directory as one")
    func tokenFileFromAPipe() async throws {
        let received = Mutex<String?>(nil)
        let server = try await HostileServer.start { peer in
            _ = try await peer.readRequest()
            received.withLock { $0 = peer.header("Authorization") }
            try await peer.write("HTTP/1.1 401 Unauthorized\r\nContent-Length: 0\r\n\r\n")
        }
        defer { Task { await server.stop() } }
        let fifo = FileManager.default.temporaryDirectory.appendingPathComponent("ws1011-token-fifo-\(UUID().uuidString)").path
        #expect(mkfifo(fifo, 0o600) == 0)
        defer { unlink(fifo) }
        async let run = CLITests.run(["diagnose", "ws://127.0.0.1:\(server.port)/ws", "--token-file", fifo, "--message-timeout", "1s"])
        // The writer end, as the shell's process substitution is: opened once ws1011 opens the reading end.
        var fd: Int32 = -1
        let deadline = ContinuousClock.now + .seconds(15)
        while fd < 0, ContinuousClock.now < deadline {
            fd = open(fifo, O_WRONLY | O_NONBLOCK)
            if fd < 0 { try await Task.sleep(for: .milliseconds(20)) }
        }
        if fd >= 0 {
            let line = Array("piped-token-0123456789\n".utf8)
            _ = line.withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
            close(fd)
        }
        let r = try await run
        #expect(fd >= 0, "ws1011 never opened the pipe: \(r.stderr)")
        #expect(r.status == 1, "exit \(r.status): \(r.stderr)")
        #expect(received.withLock { $0 } == "Bearer piped-token-0123456789", "\(String(describing: received.withLock { $0 }))")
        #expect(!(r.stdout + r.stderr).contains("piped-token-0123456789"))

        let directory = try await CLITests.run(["diagnose", "ws://127.0.0.1:\(server.port)/ws", "--token-file", NSTemporaryDirectory()])
        #expect(directory.status == 2)
        #expect(directory.stderr.contains("a directory"), "\(directory.stderr)")
    }

    // MARK: - Bounds and interruptions

    /// Accepts the upgrade and then says nothing (answers no ping), until the client leaves.
    static func silentServer() async throws -> HostileServer {
        try await HostileServer.start(scriptBound: .seconds(120)) { peer in
            try await peer.acceptUpgrade()
            await peer.drain()
        }
    }

    @Test("--max-time bounds the whole run, idle probe included, and the report says it ended the run")
    func maxTimeEndsTheRun() async throws {
        let server = try await Self.silentServer()
        defer { Task { await server.stop() } }
        let json = FileManager.default.temporaryDirectory.appendingPathComponent("ws1011-maxtime-\(UUID().uuidString).json").path
        defer { try? FileManager.default.removeItem(atPath: json) }
        let started = ContinuousClock.now
        let r = try await CLITests.run(
            [
                "diagnose", "ws://127.0.0.1:\(server.port)/ws", "--message-timeout", "1s",
                "--idle-probe", "60s", "--max-time", "3s", "--json", json,
            ], timeout: .seconds(60))
        let took = ContinuousClock.now - started
        // Configured 3 s; a 60 s probe must not run out. The slack is for a busy machine.
        #expect(took < .seconds(25), "a 3 s --max-time run took \(took)")
        #expect(r.status == 1, "exit \(r.status): \(r.stderr)")
        #expect(r.stdout.contains("--max-time 3s passed"), "\(r.stdout)")
        let report = try JSONReportRenderer.decode(Data(contentsOf: URL(fileURLWithPath: json)))
        #expect(report.interruption?.by == "max-time")
        #expect(report.interruption?.during.contains("idle-probe") == true, "\(String(describing: report.interruption))")
        // The probe was cut, not a limit of the path: no idle timeout is claimed.
        #expect(report.measurements?.idleTimeoutMs == nil)
        #expect((report.measurements?.idleProbeMs ?? 60_000) < 60_000)
    }

    @Test("The first SIGINT writes the partial report (text and JSON) and exits 130")
    func interruptWritesThePartialReport() async throws {
        let server = try await Self.silentServer()
        defer { Task { await server.stop() } }
        let spawned = try Spawned(
            [
                "diagnose", "ws://127.0.0.1:\(server.port)/ws", "--message-timeout", "1s",
                "--idle-probe", "70s", "--lifetime-probe", "70s", "--json", "report.json",
            ].map {
                $0 == "report.json"
                    ? FileManager.default.temporaryDirectory.appendingPathComponent("ws1011-sigint-\(getpid()).json").path : $0
            })
        let json = FileManager.default.temporaryDirectory.appendingPathComponent("ws1011-sigint-\(getpid()).json").path
        defer { try? FileManager.default.removeItem(atPath: json) }
        // Wait until the timeout probes hold their connections (the main attempt takes about the 1 s ping bound).
        try await Task.sleep(for: .seconds(4))
        #expect(spawned.process.isRunning)
        kill(spawned.process.processIdentifier, SIGINT)
        let status = try await spawned.exit(within: .seconds(20))
        #expect(status == 130, "exit \(status): \(spawned.stderr)")
        #expect(spawned.stdout.contains("Verdict:"), "no report after SIGINT:\n\(spawned.stdout)\n\(spawned.stderr)")
        #expect(spawned.stdout.contains("SIGINT"), "\(spawned.stdout)")
        let report = try JSONReportRenderer.decode(Data(contentsOf: URL(fileURLWithPath: json)))
        #expect(report.interruption?.by == "SIGINT")
        #expect(report.interruption?.mainAttemptInterrupted == false, "the main attempt had finished before the signal")
        #expect(report.steps.contains { $0.name == .ping && $0.status == .failed }, "the main attempt's steps are kept")
    }

    @Test("SIGTERM writes the partial report (text, JSON and JUnit) and exits 143")
    func terminateWritesEveryPartialReport() async throws {
        let server = try await Self.silentServer()
        defer { Task { await server.stop() } }
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("ws1011-sigterm-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let json = dir.appendingPathComponent("report.json").path, junit = dir.appendingPathComponent("report.xml").path
        let spawned = try Spawned([
            "diagnose", "ws://127.0.0.1:\(server.port)/ws", "--message-timeout", "1s", "--idle-probe", "70s",
            "--lifetime-probe", "70s", "--sustain", "35s", "--json", json, "--junit", junit,
        ])
        // Wait until the timeout probes hold their connections (the main attempt takes about the 1 s ping bound).
        try await Task.sleep(for: .seconds(4))
        #expect(spawned.process.isRunning)
        kill(spawned.process.processIdentifier, SIGTERM)
        let status = try await spawned.exit(within: .seconds(20))
        #expect(status == 143, "exit \(status): \(spawned.stderr)")
        #expect(spawned.stdout.contains("Verdict:") && spawned.stdout.contains("SIGTERM"), "\(spawned.stdout)\n\(spawned.stderr)")
        let report = try JSONReportRenderer.decode(Data(contentsOf: URL(fileURLWithPath: json)))
        #expect(report.interruption?.by == "SIGTERM")
        #expect(report.steps.contains { $0.name == .ping && $0.status == .failed }, "the main attempt's steps are kept")
        let xml = try String(contentsOfFile: junit, encoding: .utf8)
        #expect(xml.contains("<testsuite") && xml.contains("SIGTERM"), "the JUnit report does not say the run was cut short:\n\(xml)")
    }

    @Test("A second signal ends the run at once, without waiting for the partial report")
    func aSecondSignalExitsAtOnce() async throws {
        // A token fetch that never answers: after the first signal the run waits its stop grace (2 s) for the fetch
        // to wind down before it writes the partial report, so a second signal 300 ms later lands in that wait.
        let auth = try await HostileServer.start(scriptBound: .seconds(60)) { peer in await peer.drain() }
        defer { Task { await auth.stop() } }
        let closed = try ClosedPort()
        let spawned = try Spawned([
            "diagnose", "ws://127.0.0.1:\(closed.port)/ws", "--auth-url", "http://127.0.0.1:\(auth.port)/auth/token",
            "--user", "u@example.com", "--connect-timeout", "20s", "--message-timeout", "20s",
        ])
        try await Task.sleep(for: .seconds(1))
        #expect(spawned.process.isRunning, "\(spawned.stderr)")
        kill(spawned.process.processIdentifier, SIGINT)
        try await Task.sleep(for: .milliseconds(300))
        kill(spawned.process.processIdentifier, SIGTERM)
        let status = try await spawned.exit(within: .seconds(20))
        // 143 is the second signal's code: the first alone would have ended with 130 after writing the report.
        #expect(status == 143, "exit \(status): \(spawned.stdout)\(spawned.stderr)")
        #expect(spawned.stderr.contains("again to quit at once"), "\(spawned.stderr)")
        #expect(!spawned.stdout.contains("Verdict:"), "the second signal waited for the report:\n\(spawned.stdout)")
    }

    @Test("SIGINT during the main attempt: the running step is reported interrupted, the verdict names no cause")
    func interruptDuringTheMainAttempt() async throws {
        let server = try await Self.silentServer()
        defer { Task { await server.stop() } }
        let spawned = try Spawned(["diagnose", "ws://127.0.0.1:\(server.port)/ws", "--message-timeout", "60s"])
        try await Task.sleep(for: .seconds(2))
        kill(spawned.process.processIdentifier, SIGINT)
        let status = try await spawned.exit(within: .seconds(20))
        #expect(status == 130, "exit \(status): \(spawned.stderr)")
        #expect(spawned.stdout.contains("inconclusive.interrupted"), "\(spawned.stdout)")
        #expect(spawned.stdout.contains("interrupted: interrupted by SIGINT"), "\(spawned.stdout)")
        #expect(spawned.stdout.contains("✓ upgrade"), "steps done before the signal are kept:\n\(spawned.stdout)")
    }
}
