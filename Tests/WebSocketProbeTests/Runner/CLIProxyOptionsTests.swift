import Foundation
import Testing

/// `ws1011 proxy`'s bounds as flags: parsed, refused with the fix, and in effect (the banner states the
/// configuration the proxy started with). Runs the built binary (see ``CLITests``).
@Suite("ws1011 command line: proxy options", .serialized)
struct CLIProxyOptionsTests {
    static let proxy = ["proxy", "--listen", "127.0.0.1:0", "--upstream", "127.0.0.1:1"]

    @Test func theAnswerTimeoutIsTheOneGivenOrFiveSeconds() async throws {
        let given = try await CLIExposureTests.Running(Self.proxy + ["--answer-timeout", "250ms"])
        #expect(given.isRunning, "\(given.stdout)\n\(given.stderr)")
        #expect(given.stdout.contains("answers:   the proxy's own answers get 250ms"), "\(given.stdout)")
        try await given.stop()
        let otherwise = try await CLIExposureTests.Running(Self.proxy)
        #expect(otherwise.stdout.contains("answers:   the proxy's own answers get 5s"), "\(otherwise.stdout)")
        try await otherwise.stop()
    }

    @Test(arguments: [
        ("0s", "out of range"), ("2h", "out of range"), ("soon", "write a number followed by a unit"),
        ("10", "write a number followed by a unit"),
    ])
    func aBadAnswerTimeoutIsAUsageErrorSayingWhatToFix(_ value: String, _ fix: String) async throws {
        let r = try await CLITests.run(Self.proxy + ["--answer-timeout", value], timeout: .seconds(15))
        #expect(r.status == 2, "\(r.stdout)\n\(r.stderr)")
        #expect(r.stderr.contains("--answer-timeout") && r.stderr.contains(fix), "\(r.stderr)")
        #expect(!r.stdout.contains("Ctrl-C to stop."), "the proxy must not start: \(r.stdout)")
    }

    @Test func theHelpExplainsTheAnswerTimeout() async throws {
        let r = try await CLITests.run(["proxy", "--help"], timeout: .seconds(15))
        #expect(r.status == 0, "\(r.stderr)")
        #expect(r.stdout.contains("--answer-timeout <DURATION>"), "\(r.stdout)")
        let words = r.stdout.split(whereSeparator: \.isWhitespace).joined(separator: " ")
        #expect(words.contains("a client that does not read it is closed then (default 5s, at most 1h)"), "\(r.stdout)")
    }
}
