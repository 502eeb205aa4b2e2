import Foundation
import Testing
import WebSocketLab
import WebSocketProbe

/// Hostile clients against the lab backend: the bad ones are rejected or closed cleanly and a well-behaved
/// client keeps getting its `connection_established` and its agent events meanwhile.
@Suite("Hostile clients against the lab backend", .serialized)
struct HostileLabClientTests {
    static let agentEvents = ["agent_started", "agent_thinking", "tool_executing", "tool_completed", "agent_completed"]

    static func expectServed(_ types: [String], sourceLocation: SourceLocation = #_sourceLocation) {
        #expect(types.first == "connection_established", "events: \(types)", sourceLocation: sourceLocation)
        for event in agentEvents {
            #expect(types.contains(event), "no \(event) in \(types)", sourceLocation: sourceLocation)
        }
    }

    @Test("Huge upgrade headers are refused with a 4xx and the connection closes")
    func hugeHeaders() async throws {
        let lab = try await LabServer.start(HostileLab.configuration())
        let client = try await RawSocketClient.connect(port: lab.port)
        let padding = (0..<64).map { "X-Padding-\($0): \(String(repeating: "p", count: 1000))" }
        try? await client.send(HostileLab.upgradeRequest(port: lab.port, token: nil, extraHeaders: padding))
        #expect(await client.waitForClose(.seconds(3)), "the lab kept a connection that sent 64 KiB of headers")
        let text = client.receivedText
        #expect(text.hasPrefix("HTTP/1.1 431") || text.hasPrefix("HTTP/1.1 400"), "answer: \(text.prefix(120))")
        Self.expectServed(try await HostileLab.wellBehavedSession(lab))
        await client.close()
        await lab.shutdown()
    }

    @Test("Reserved opcodes (0x3 and 0xB) get close 1002", arguments: [UInt8(0x3), UInt8(0xB)])
    func reservedOpcode(_ opcode: UInt8) async throws {
        let lab = try await LabServer.start(HostileLab.configuration())
        let client = try await HostileLab.upgradedRawClient(lab)
        try await client.send(RawSocketClient.frame(0x80 | opcode, Array("x".utf8)))
        let closed = await client.wait(.seconds(3)) { bytes, _ in RawSocketClient.closeCode(bytes) != nil }
        #expect(closed)
        #expect(RawSocketClient.closeCode(client.received) == 1002)
        Self.expectServed(try await HostileLab.wellBehavedSession(lab))
        await client.close()
        await lab.shutdown()
    }

    @Test("A frame over the lab's frame bound gets close 1009 and the connection ends", arguments: [UInt64(2 << 20), UInt64(1) << 63])
    func oversizedFrame(_ declared: UInt64) async throws {
        let lab = try await LabServer.start(HostileLab.configuration())
        let client = try await HostileLab.upgradedRawClient(lab)
        try await client.send(RawSocketClient.frame(0x82, [UInt8](repeating: 0, count: 1024), length: declared))
        #expect(await client.waitForClose(.seconds(3)))
        let code = RawSocketClient.closeCode(client.received)
        #expect(code == 1009, "close code \(code.map(String.init) ?? "none")")
        Self.expectServed(try await HostileLab.wellBehavedSession(lab))
        await lab.shutdown()
    }

    @Test("A flood of 10,000 pings is answered or cut off, and other clients are still served")
    func pingFlood() async throws {
        let lab = try await LabServer.start(HostileLab.configuration())
        let client = try await HostileLab.upgradedRawClient(lab)
        var flood: [UInt8] = []
        for i in 0..<10_000 { flood += RawSocketClient.frame(0x89, [UInt8(i & 0xFF), UInt8(i >> 8)]) }
        try? await client.send(flood)
        // Meanwhile a well-behaved user runs an agent.
        Self.expectServed(try await HostileLab.wellBehavedSession(lab))
        let answered = await client.wait(.seconds(5)) { bytes, closed in
            closed || RawSocketClient.serverFrames(bytes).filter { $0.opcode == 0xA }.count >= 10_000
        }
        #expect(
            answered,
            "the flooding client got \(RawSocketClient.serverFrames(client.received).filter { $0.opcode == 0xA }.count) pongs and was not closed"
        )
        await client.close()
        await lab.shutdown()
    }

    @Test("An unmasked client frame is refused with close 1002 (RFC 6455 §5.1)")
    func unmaskedFrame() async throws {
        let lab = try await LabServer.start(HostileLab.configuration())
        let client = try await HostileLab.upgradedRawClient(lab)
        try await client.send(RawSocketClient.frame(0x81, Array(#"{"type":"ping"}"#.utf8), mask: nil))
        _ = await client.wait(.seconds(2)) { bytes, closed in closed || RawSocketClient.serverFrames(bytes).count >= 2 }
        let frames = RawSocketClient.serverFrames(client.received)
        #expect(RawSocketClient.closeCode(client.received) == 1002, "server frames: \(frames.map(\.opcode))")
        // connection_established is fine; an answer to the unmasked {"type":"ping"} is not.
        let answered = frames.contains { $0.opcode == 0x1 && String(decoding: $0.payload, as: UTF8.self).contains(#""type":"pong""#) }
        #expect(!answered, "the lab answered the unmasked message")
        Self.expectServed(try await HostileLab.wellBehavedSession(lab))
        await client.close()
        await lab.shutdown()
    }

    @Test("Connections that never send a byte (500; WS1011_HOSTILE_CONNECTS for more) do not stop a good client")
    func silentConnections() async throws {
        let lab = try await LabServer.start(HostileLab.configuration())
        // Both ends of every connection live in this process: at most half the descriptor limit, minus headroom.
        let requested = HostileLab.count("WS1011_HOSTILE_CONNECTS", default: 500)
        let count = min(requested, max(1, (HostileLab.descriptorLimit() - 512) / 2))
        if count < requested {
            print("silentConnections: \(count) of \(requested) connections (RLIMIT_NOFILE \(HostileLab.descriptorLimit()))")
        }
        var silent: [RawSocketClient] = []
        silent.reserveCapacity(count)
        for _ in 0..<count { silent.append(try await RawSocketClient.connect(port: lab.port)) }
        // A partial upgrade request, then silence.
        let partial = try await RawSocketClient.connect(port: lab.port)
        try await partial.send("GET /ws HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\n")

        Self.expectServed(try await HostileLab.wellBehavedSession(lab))
        // The silent ones never became WebSockets: once the good client left, none is counted as open.
        let deadline = ContinuousClock.now + .seconds(2)
        while lab.openConnectionCount > 0, ContinuousClock.now < deadline { try await Task.sleep(for: .milliseconds(20)) }
        #expect(lab.openConnectionCount == 0)
        for client in silent { await client.close() }
        await partial.close()
        await lab.shutdown()
    }

    @Test("Silent and half-sent connections are closed by a handshake read timeout")
    func handshakeReadTimeout() async throws {
        var configuration = HostileLab.configuration()
        configuration.handshakeTimeout = .seconds(1)
        let lab = try await LabServer.start(configuration)
        let silent = try await RawSocketClient.connect(port: lab.port)
        let partial = try await RawSocketClient.connect(port: lab.port)
        try await partial.send("GET /ws HTTP/1.1\r\nHost: 127.0.0.1\r\n")
        // Generous next to any sane handshake timeout (nginx 60 s is for the body; heads: 5–10 s in most servers).
        let closedSilent = await silent.waitForClose(.seconds(3))
        // Accepted a little later, so closed a little later: on a busy machine more than a few ms (a hang guard).
        let closedPartial = await partial.waitForClose(.seconds(3))
        #expect(closedSilent, "a connection that never sent a byte must be closed by the handshake timeout")
        #expect(closedPartial, "a connection that never finished its request head must be closed by the handshake timeout")
        await silent.close()
        await partial.close()
        await lab.shutdown()
    }

    @Test("Shutdown closes connections that never upgraded")
    func shutdownClosesPendingConnections() async throws {
        let lab = try await LabServer.start(HostileLab.configuration())
        let silent = try await RawSocketClient.connect(port: lab.port)
        let partial = try await RawSocketClient.connect(port: lab.port)
        try await partial.send("GET /ws HTTP/1.1\r\n")
        try await Task.sleep(for: .milliseconds(50))
        await lab.shutdown()
        let closedSilent = await silent.waitForClose(.seconds(1))
        let closedPartial = await partial.waitForClose(.milliseconds(100))
        #expect(closedSilent, "shutdown must close accepted connections that never upgraded")
        #expect(closedPartial, "shutdown must close connections with a half-sent request head")
        await silent.close()
        await partial.close()
    }
}
