import Foundation
import Testing
import WebSocketDiagnosis
import WebSocketProbe

/// Floods that no per-frame or per-message bound catches: the frame log and the fragment count must still be bounded.
@Suite("Hostile server floods beyond the per-frame bounds")
struct HostileServerGapTests {
    /// The client's frame log cap: 256 first frames + 12,288 latest (the log is evidence, not a packet capture).
    static let frameLogCap = 256 + 12_288

    @Test("50,000 empty fragments that never finish a message leave a bounded frame log and a finding")
    func emptyFragmentFlood() async throws {
        let server = try await HostileServer.start { peer in
            try await peer.acceptUpgrade()
            var bytes = HostileFrame.frame(0x1, [], fin: false)
            for _ in 0..<50_000 { bytes += HostileFrame.frame(0x0, [], fin: false) }
            try await peer.write(bytes)
            await peer.drain()
        }
        let connection = await WebSocketConnection.connect(try HostileServerTests.configuration(port: server.port, secure: false))
        let started = ContinuousClock.now
        // Bytes arrive in well under a second; wait until the client has seen them all or 3 s pass.
        while ContinuousClock.now - started < .seconds(3) {
            let transcript = await connection.transcript()
            let open = await connection.isOpen
            if transcript.wire.bytesIn >= 100_000 || !open { break }
            try await Task.sleep(for: .milliseconds(50))
        }
        await connection.close()
        let transcript = await connection.transcript()
        await server.stop()
        #expect(transcript.close.transportEnd != .stillOpen)
        #expect(transcript.frames.count <= Self.frameLogCap, "\(transcript.frames.count) frames recorded")
        #expect(
            transcript.findings.contains { $0.code == .tooManyFragments },
            "no too-many-fragments finding for 50,000 empty fragments: \(transcript.findings.map(\.code))")
        #expect(transcript.close.sent?.code == 1009, "the client should close 1009 (message too big)")
    }
}
