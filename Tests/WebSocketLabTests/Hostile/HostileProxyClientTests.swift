import Foundation
import Testing
import WebSocketLab
import WebSocketProbe

/// Hostile clients against the fault proxy in front of the lab: bad requests are refused or timed out, bad
/// frames do not take the proxy down, and a well-behaved client through the proxy keeps getting its events.
@Suite("Hostile clients against the fault proxy", .serialized)
struct HostileProxyClientTests {
    /// The lab behind a proxy whose request-head bound is `headTimeout`: 1 s in the tests about that bound,
    /// 10 s elsewhere (a guard, generous: under a flood on a busy machine the good client's upgrade takes time).
    /// The upstream's answer keeps a 10 s bound either way: the good client's upgrade is not what these test.
    static func start(headTimeout: Duration = .seconds(10)) async throws -> (LabServer, FaultProxy) {
        let lab = try await LabServer.start(HostileLab.configuration())
        var configuration = ProxyConfiguration(upstreams: [ProxyUpstream(host: "127.0.0.1", port: lab.port)])
        configuration.requestHeadTimeout = headTimeout
        configuration.upstreamResponseTimeout = .seconds(10)
        configuration.upstreamConnectTimeout = .seconds(5)
        do {
            return (lab, try await FaultProxy.start(configuration))
        } catch {
            await lab.shutdown()
            throw error
        }
    }

    /// A well-behaved session through the proxy: the lab's URL with the proxy's port.
    static func servedThroughProxy(_ lab: LabServer, _ proxy: FaultProxy) async throws -> [String] {
        let token = try await lab.mintToken(email: TestUser.enterprise.email)
        var configuration = try HostileLab.goodClient(lab, token: token)
        configuration.url = try WebSocketURL(parsing: proxy.url(path: "/ws"))
        let connection = await WebSocketConnection.connect(configuration)
        var types: [String] = []
        guard await connection.isOpen else {
            let transcript = await connection.transcript()
            throw HostileLabError("the good client could not connect through the proxy: \(transcript.failure?.detail ?? "?")")
        }
        let deadline = ContinuousClock.now + .seconds(15)
        while ContinuousClock.now < deadline {
            guard case .text(let text) = await connection.receive(timeout: .seconds(10)) else { break }
            let type = (try? JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any])?["type"] as? String ?? "?"
            types.append(type)
            if type == "connection_established" {
                await connection.send(text: #"{"type":"start_agent","payload":{"content":"through the proxy"}}"#)
            }
            if type == "agent_completed" { break }
        }
        await connection.close()
        return types
    }

    @Test("A partial request then silence is closed by the proxy's request-head bound")
    func partialRequestTimesOut() async throws {
        let (lab, proxy) = try await Self.start(headTimeout: .seconds(1))
        let silent = try await RawSocketClient.connect(port: proxy.port)
        let partial = try await RawSocketClient.connect(port: proxy.port)
        try await partial.send("GET /ws HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: webs")
        let started = ContinuousClock.now
        #expect(await partial.waitForClose(.seconds(3)))
        #expect(await silent.waitForClose(.seconds(1)))
        #expect(ContinuousClock.now - started < .seconds(3))
        HostileLabClientTests.expectServed(try await Self.servedThroughProxy(lab, proxy))
        await proxy.shutdown()
        await lab.shutdown()
    }

    @Test(
        "Connections that never send a byte (300; WS1011_HOSTILE_CONNECTS for more) are all cut by the head bound, a good client is served")
    func silentConnections() async throws {
        let (lab, proxy) = try await Self.start(headTimeout: .seconds(1))
        let requested = HostileLab.count("WS1011_HOSTILE_CONNECTS", default: 300)
        let count = min(requested, max(1, (HostileLab.descriptorLimit() - 512) / 2))
        var silent: [RawSocketClient] = []
        for _ in 0..<count { silent.append(try await RawSocketClient.connect(port: proxy.port)) }
        HostileLabClientTests.expectServed(try await Self.servedThroughProxy(lab, proxy))
        let deadline = ContinuousClock.now + .seconds(4)
        while silent.contains(where: { !$0.isClosed }), ContinuousClock.now < deadline { try await Task.sleep(for: .milliseconds(50)) }
        let open = silent.filter { !$0.isClosed }.count
        #expect(open == 0, "\(open) of \(count) silent connections still open 4 s after connecting (bound 1 s)")
        for client in silent { await client.close() }
        await proxy.shutdown()
        await lab.shutdown()
    }

    @Test("A request head over the proxy's bound gets 431 and the connection closes")
    func hugeHeaders() async throws {
        let (lab, proxy) = try await Self.start()
        let client = try await RawSocketClient.connect(port: proxy.port)
        let padding = (0..<40).map { "X-Padding-\($0): \(String(repeating: "p", count: 1000))" }
        try? await client.send(HostileLab.upgradeRequest(port: proxy.port, token: nil, extraHeaders: padding))
        #expect(await client.waitForClose(.seconds(3)))
        #expect(client.receivedText.hasPrefix("HTTP/1.1 431"), "answer: \(client.receivedText.prefix(80))")
        HostileLabClientTests.expectServed(try await Self.servedThroughProxy(lab, proxy))
        await proxy.shutdown()
        await lab.shutdown()
    }

    @Test(
        "Malformed frames through the proxy end that connection only",
        arguments: [
            ("reserved opcode 0x3", RawSocketClient.frame(0x83, [1])),
            ("length 2^63", RawSocketClient.frame(0x82, [], length: UInt64(1) << 63)),
            ("unmasked frame", RawSocketClient.frame(0x81, Array(#"{"type":"ping"}"#.utf8), mask: nil)),
            ("fragmented ping", RawSocketClient.frame(0x09, [1])),
        ])
    func malformedFrames(_ name: String, _ frame: [UInt8]) async throws {
        let (lab, proxy) = try await Self.start()
        let token = try await lab.mintToken(email: TestUser.enterprise.email)
        let client = try await RawSocketClient.connect(port: proxy.port)
        try await client.send(HostileLab.upgradeRequest(port: proxy.port, token: token))
        #expect(await client.wait(.seconds(10)) { bytes, _ in RawSocketClient.headEnd(bytes) != nil }, "no upgrade answer")
        try? await client.send(frame)
        // The lab answers (close or data); the proxy must pass it on and stay up.
        let ended = await client.wait(.seconds(10)) { bytes, closed in closed || RawSocketClient.closeCode(bytes) != nil }
        #expect(ended, "\(name): the malformed frame did not end the connection (no close frame, still open)")
        let code = RawSocketClient.closeCode(client.received)
        #expect(code == nil || code == 1002 || code == 1009, "\(name): close code \(code.map(String.init) ?? "none")")
        HostileLabClientTests.expectServed(try await Self.servedThroughProxy(lab, proxy))
        await client.close()
        await proxy.shutdown()
        await lab.shutdown()
    }

    @Test("A ping flood through the proxy does not starve a good client")
    func pingFlood() async throws {
        let (lab, proxy) = try await Self.start()
        let token = try await lab.mintToken(email: TestUser.enterprise.email)
        let client = try await RawSocketClient.connect(port: proxy.port)
        try await client.send(HostileLab.upgradeRequest(port: proxy.port, token: token))
        #expect(await client.wait(.seconds(10)) { bytes, _ in String(decoding: bytes.prefix(12), as: UTF8.self) == "HTTP/1.1 101" })
        var flood: [UInt8] = []
        for i in 0..<10_000 { flood += RawSocketClient.frame(0x89, [UInt8(i & 0xFF), UInt8(i >> 8)]) }
        try? await client.send(flood)
        HostileLabClientTests.expectServed(try await Self.servedThroughProxy(lab, proxy))
        let pongs = await client.wait(.seconds(5)) { bytes, closed in
            closed || RawSocketClient.serverFrames(bytes).filter { $0.opcode == 0xA }.count >= 10_000
        }
        #expect(pongs)
        await client.close()
        await proxy.shutdown()
        await lab.shutdown()
    }
}
