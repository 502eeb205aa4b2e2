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
        let pings = transcript.frameTotals?.first { $0.direction == .inbound && $0.opcode == "ping" }?.count
            ?? transcript.frames.filter { $0.direction == .inbound && $0.opcode == "ping" }.count
        let pongs = transcript.frameTotals?.first { $0.direction == .outbound && $0.opcode == "pong" }?.count
            ?? transcript.frames.filter { $0.direction == .outbound && $0.opcode == "pong" }.count
        #expect(pings > 1000, "the flood did not arrive (\(pings) pings)")
        #expect(pongs * 10 < pings, "\(pongs) pongs for \(pings) pings: pongs are not coalesced")
        let closeStarted = ContinuousClock.now
        await connection.close()
        #expect(ContinuousClock.now - closeStarted < .seconds(6), "close took \(ContinuousClock.now - closeStarted) under a flood (bound 1 s + 2 s)")
    }
}
