import Foundation
import Testing
import WebSocketDiagnosis
import WebSocketLab
import WebSocketProbe

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

    @Test func aSeedMakesTheFaultsChanceRepeatableAndTheBannerSaysSo() async throws {
        let seeded = try await CLIExposureTests.Running(Self.proxy + ["--seed", "42", "--fault", "drop-messages:probability=0.5"])
        #expect(seeded.isRunning, "\(seeded.stdout)\n\(seeded.stderr)")
        #expect(seeded.stdout.contains("chance:    repeatable, seed 42 (--seed)"), "\(seeded.stdout)")
        try await seeded.stop()
        let otherwise = try await CLIExposureTests.Running(Self.proxy)
        #expect(otherwise.stdout.contains("chance:    the system's random source"), "\(otherwise.stdout)")
        try await otherwise.stop()
    }

    /// The statuses 12 upgrades in turn get through a proxy that refuses each with chance ½ (rolled per connection).
    static func refusals(seed: String, upstream: Int) async throws -> [Int?] {
        let running = try await CLIExposureTests.Running(
            [
                "proxy", "--listen", "127.0.0.1:0", "--upstream", "127.0.0.1:\(upstream)", "--seed", seed,
                "--fault", "reject-upgrade:status=503,probability=0.5",
            ])
        let line = running.stdout.split(separator: "\n").first { $0.contains("listening on ws://") } ?? ""
        let port = try #require(line.split(separator: ":").last.flatMap { Int($0.filter(\.isNumber)) }, "\(running.stdout)")
        var statuses: [Int?] = []
        for _ in 0..<12 {
            var configuration = ClientConfiguration(url: try WebSocketURL(parsing: "ws://127.0.0.1:\(port)/"))
            configuration.timeouts.connect = .seconds(10)
            configuration.timeouts.upgrade = .seconds(10)
            let client = await WebSocketConnection.connect(configuration)
            statuses.append(await client.transcript().handshake?.status)
            await client.close()
        }
        try await running.stop()
        return statuses
    }

    @Test func theSameSeedRollsTheSameRefusals() async throws {
        let echo = try await EchoServer.start(configuration: .init())
        let first = try await Self.refusals(seed: "7", upstream: echo.port)
        let again = try await Self.refusals(seed: "7", upstream: echo.port)
        #expect(first == again, "the same seed, the same rolls: \(first) then \(again)")
        #expect(first.contains(101) && first.contains(503), "the fault rolled both ways: \(first)")
        await echo.shutdown()
    }

    @Test(arguments: ["soon", "-1", "1.5"])
    func aBadSeedIsAUsageError(_ value: String) async throws {
        let r = try await CLITests.run(Self.proxy + ["--seed", value], timeout: .seconds(15))
        #expect(r.status == 2, "\(r.stdout)\n\(r.stderr)")
        #expect(r.stderr.contains("--seed"), "\(r.stderr)")
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
