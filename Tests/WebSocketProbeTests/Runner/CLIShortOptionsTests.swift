import Foundation
import Testing

/// The habits users bring from curl, wscat and websocat: short options, `--json -`, `-q`, `-v`.
@Suite("ws1011 command line habits", .serialized)
struct CLIShortOptionsTests {
    @Test func jsonToStdoutIsTheOnlyThingOnStdout() async throws {
        let r = try await CLITests.run(["diagnose", "--json", "-"], timeout: .seconds(60))
        #expect(r.status == 0, "\(r.stderr)")
        let object = try JSONSerialization.jsonObject(with: Data(r.stdout.utf8)) as? [String: Any]
        #expect(object?["schema"] as? String == "ws1011.report/1", "stdout is not only the report:\n\(r.stdout.prefix(300))")
    }

    @Test func quietPrintsNothingOnStdoutAndKeepsTheExitCode() async throws {
        let healthy = try await CLITests.run(["diagnose", "-q"], timeout: .seconds(60))
        #expect(healthy.status == 0 && healthy.stdout.isEmpty, "\(healthy.stdout)")
        let closed = try ClosedPort()
        let failed = try await CLITests.run(["diagnose", "-q", "ws://127.0.0.1:\(closed.port)/ws"])
        #expect(failed.status == 1 && failed.stdout.isEmpty, "\(failed.stdout)")
    }

    @Test func verboseTracesEveryFrameOnStderrWithoutTheToken() async throws {
        let r = try await CLITests.run(["diagnose", "-v"], timeout: .seconds(60))
        #expect(r.status == 0, "\(r.stderr)")
        let lines = r.stderr.split(separator: "\n")
        #expect(lines.contains { $0.contains("main -> ping") } && lines.contains { $0.contains("main <- pong") }, "\(r.stderr)")
        #expect(lines.filter { $0.contains("main <- text") }.count >= 5, "the welcome, pong, stream and agent events: \(r.stderr)")
        // The lab's token travels in the subprotocol and the frames name the user: no JWT is printed.
        #expect(!r.stderr.contains("eyJ"), "\(r.stderr)")
    }

    @Test func shortFormsAreTheLongOnes() async throws {
        let closed = try ClosedPort()
        let r = try await CLITests.run([
            "diagnose", "ws://127.0.0.1:\(closed.port)/ws", "-H", "X-Trace: 1", "-s", "chat.v1", "-k", "--json", "-",
        ])
        #expect(r.status == 1, "\(r.stderr)")
        let report = try JSONSerialization.jsonObject(with: Data(r.stdout.utf8)) as? [String: Any]
        #expect(report != nil, "\(r.stdout.prefix(300))")
        let missing = try await CLITests.run(["diagnose", "wss://127.0.0.1:\(closed.port)/ws", "--cacert", "/nonexistent/ca.pem"])
        #expect(missing.status == 2 && missing.stderr.contains("/nonexistent/ca.pem"), "\(missing.stderr)")
    }

    @Test func colourOnlyWhenAskedOrOnATerminalAndOnlyOurOwnSequences() async throws {
        let closed = try ClosedPort()
        let always = try await CLITests.run(["diagnose", "ws://127.0.0.1:\(closed.port)/ws", "--color", "always"])
        #expect(always.status == 1, "\(always.stderr)")
        #expect(always.stdout.contains("\u{1B}[1m\u{1B}[31mVerdict: NETWORK"), "the verdict line is red: \(always.stdout.debugDescription)")
        #expect(always.stdout.contains("\u{1B}[31m✗\u{1B}[0m connect"), "the failed step's mark is red")
        // Piped, without --color: plain text, as before.
        let piped = try await CLITests.run(["diagnose", "ws://127.0.0.1:\(closed.port)/ws"])
        #expect(!piped.stdout.contains("\u{1B}"), "\(piped.stdout.debugDescription)")
        let wrong = try await CLITests.run(["diagnose", "--color", "rainbow"])
        #expect(wrong.status == 2 && wrong.stderr.contains("auto"), "\(wrong.stderr)")
    }
}
