import Foundation
import Testing
import WebSocketDiagnosis
import WebSocketProbe

/// Every bound holds whatever the peer sends: a server that floods pings without pause must not stretch
/// a wait past its bound, and the flood is a finding the classifier can use.
@Suite("Hostile servers cannot stretch the client's bounds")
struct HostileServerBoundTests {
    /// A 101, then empty pings without pause (never reading) for up to `seconds`.
    static func pingFlood(seconds: Double) async throws -> HostileServer {
        try await HostileServer.start(scriptBound: .seconds(seconds + 1)) { peer in
            try await peer.acceptUpgrade()
            let burst = [UInt8]((0..<2048).flatMap { _ in HostileFrame.frame(0x9, []) })
            let end = ContinuousClock.now + .seconds(seconds)
            while ContinuousClock.now < end {
                try await peer.write(burst)
            }
        }
    }

    @Test("A ping flood cannot stretch a 1 s receive bound, and is reported as frame.ping-flood")
    func pingFloodCannotStretchAWait() async throws {
        let server = try await Self.pingFlood(seconds: 12)
        defer { Task { await server.stop() } }
        let connection = await WebSocketConnection.connect(try HostileServerTests.configuration(port: server.port, secure: false))
        #expect(await connection.isOpen)
        let started = ContinuousClock.now
        let outcome = await connection.receive(timeout: .seconds(1))
        let waited = ContinuousClock.now - started
        // Configured 1 s; the slack is for a busy machine. Before coalescing pongs this took minutes.
        #expect(waited < .seconds(5), "a 1 s receive bound took \(waited) under a ping flood")
        if case .timeout = outcome {} else { Issue.record("expected a timeout while only pings arrive, got \(outcome)") }
        let transcript = await connection.transcript()
        #expect(transcript.findings.contains { $0.code == .pingFlood }, "findings: \(transcript.findings.map(\.code))")
        let pings =
            transcript.frameTotals?.first { $0.direction == .inbound && $0.opcode == "ping" }?.count
            ?? transcript.frames.filter { $0.direction == .inbound && $0.opcode == "ping" }.count
        let pongs =
            transcript.frameTotals?.first { $0.direction == .outbound && $0.opcode == "pong" }?.count
            ?? transcript.frames.filter { $0.direction == .outbound && $0.opcode == "pong" }.count
        #expect(pings > 1000, "the flood did not arrive (\(pings) pings)")
        #expect(pongs * 10 < pings, "\(pongs) pongs for \(pings) pings: pongs are not coalesced")
        let closeStarted = ContinuousClock.now
        await connection.close()
        #expect(
            ContinuousClock.now - closeStarted < .seconds(6),
            "close took \(ContinuousClock.now - closeStarted) under a flood (bound 1 s + 2 s)")
    }

    @Test("A diagnose run against a ping flood ends within its bounds and names the flood as the cause")
    func aFloodedRunNamesTheFlood() async throws {
        // The flood outlasts the run by far: only the run's own bounds can end it.
        let server = try await Self.pingFlood(seconds: 60)
        defer { Task { await server.stop() } }
        let json = FileManager.default.temporaryDirectory.appendingPathComponent("ws1011-flood-\(UUID().uuidString).json").path
        defer { try? FileManager.default.removeItem(atPath: json) }
        let started = ContinuousClock.now
        let r = try await CLITests.run(
            ["diagnose", "ws://127.0.0.1:\(server.port)/ws", "--message-timeout", "1s", "--json", json], timeout: .seconds(60))
        let took = ContinuousClock.now - started
        // A 1 s message bound, a 2 s close bound and the steps between; the slack is for a busy machine.
        #expect(took < .seconds(30), "a run with 1 s bounds took \(took) under a ping flood")
        #expect(r.status == 1, "exit \(r.status): \(r.stderr)")
        let report = try JSONReportRenderer.decode(Data(contentsOf: URL(fileURLWithPath: json)))
        #expect(report.verdict.cause == .pingFlood, "\(report.verdict.cause): \(report.verdict.summary)")
        #expect(report.verdict.evidence.contains { $0.rule == .pingFlood }, "\(report.verdict.evidence)")
        #expect(r.stdout.contains("application.ping-flood"), "\(r.stdout)")
    }
}

/// A peer cannot grow the client's memory: repeated faults are counted, unread messages bounded.
@Suite("Hostile servers cannot grow the client's memory")
struct HostileServerMemoryTests {
    @Test("5,000 unsolicited pongs leave at most 16 findings of that code and one that says the rest were counted")
    func unsolicitedPongFloodIsBounded() async throws {
        let server = try await HostileServer.start { peer in
            try await peer.acceptUpgrade()
            try await peer.write([UInt8]((0..<5000).flatMap { _ in HostileFrame.frame(0xA, [1, 2]) }) + HostileFrame.close(1000))
            await peer.drain()
        }
        defer { Task { await server.stop() } }
        let connection = await WebSocketConnection.connect(try HostileServerTests.configuration(port: server.port, secure: false))
        _ = await connection.waitForEnd(timeout: .seconds(5))
        let transcript = await connection.transcript()
        let pongs = transcript.findings.filter { $0.code == .unsolicitedPong }.count
        #expect(pongs == 16, "\(pongs) unsolicited-pong findings")
        #expect(transcript.findings.contains { $0.code == .findingsTruncated })
        #expect(transcript.findings.count < 40)
    }

    @Test("5,000 messages nobody reads keep at most 1,024 queued, with a finding")
    func unreadMessagesAreBounded() async throws {
        let server = try await HostileServer.start { peer in
            try await peer.acceptUpgrade()
            try await peer.write([UInt8]((0..<5000).flatMap { i in HostileFrame.frame(0x1, Array("message \(i)".utf8)) }))
            await peer.drain()
        }
        defer { Task { await server.stop() } }
        let connection = await WebSocketConnection.connect(try HostileServerTests.configuration(port: server.port, secure: false))
        let started = ContinuousClock.now
        var transcript = await connection.transcript()
        while transcript.wire.bytesIn < 60_000 && ContinuousClock.now - started < .seconds(5) {
            try await Task.sleep(for: .milliseconds(50))
            transcript = await connection.transcript()
        }
        #expect(transcript.findings.contains { $0.code == .unreadMessagesDropped }, "\(transcript.findings.map(\.code))")
        // The newest are kept: the first message read is not message 0.
        if case .text(let first) = await connection.receive(timeout: .seconds(1)) {
            #expect(first != "message 0", "the oldest unread messages should have been dropped")
        } else {
            Issue.record("no message could be read")
        }
        await connection.close()
    }

    @Test("A ping flood from a server that reads our pongs still gets them coalesced")
    func pingFloodFromAReadingServer() async throws {
        let server = try await HostileServer.start(scriptBound: .seconds(8)) { peer in
            try await peer.acceptUpgrade()
            let reader = Task { await peer.drain() }
            defer { reader.cancel() }
            let burst = [UInt8]((0..<512).flatMap { _ in HostileFrame.frame(0x9, [7]) })
            for _ in 0..<40 { try await peer.write(burst) }
            try await peer.write(HostileFrame.close(1000))
            try await Task.sleep(for: .seconds(2))
        }
        defer { Task { await server.stop() } }
        let connection = await WebSocketConnection.connect(try HostileServerTests.configuration(port: server.port, secure: false))
        _ = await connection.waitForEnd(timeout: .seconds(6))
        let transcript = await connection.transcript()
        let count: (Direction, String) -> Int = { direction, opcode in
            transcript.frameTotals?.first { $0.direction == direction && $0.opcode == opcode }?.count
                ?? transcript.frames.filter { $0.direction == direction && $0.opcode == opcode }.count
        }
        let pings = count(.inbound, "ping"), pongs = count(.outbound, "pong")
        #expect(pings == 20_480, "\(pings) pings arrived")
        #expect(pongs >= 1 && pongs * 10 < pings, "\(pongs) pongs for \(pings) pings: not coalesced")
        #expect(transcript.findings.contains { $0.code == .pingFlood })
    }
}
