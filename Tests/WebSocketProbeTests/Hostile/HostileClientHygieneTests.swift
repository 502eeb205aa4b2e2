import Foundation
import Testing
import WS1011TestSupport
import WebSocketDiagnosis
import WebSocketProbe

/// Resource hygiene of the client: after many connections that fail every way a server can make them fail, the
/// process holds no socket on the server's port (exact, per port; the process-wide count only with
/// `WS1011_HYGIENE_STRICT=1`, since tests run in parallel in one process).
@Suite("Hostile resource hygiene of the client", .serialized)
struct HostileClientHygieneTests {
    /// The ways each connection ends, in turn.
    static let endings: [@Sendable (HostilePeer) async throws -> Void] = [
        { peer in  // a full close handshake
            try await peer.acceptUpgrade()
            try await peer.write(HostileFrame.close(1000))
            await peer.drain()
        },
        { peer in  // protocol violation: the client fails the connection
            try await peer.acceptUpgrade(trailing: HostileFrame.frame(0x3))
            await peer.drain()
        },
        { peer in  // RST in the middle of the response head
            try await peer.readRequest()
            try await peer.write("HTTP/1.1 101 Swi")
            await peer.reset()
        },
        { peer in  // EOF before any response byte
            try await peer.readRequest()
        },
        { peer in  // a rejected upgrade with a body
            try await peer.readRequest()
            try await peer.write("HTTP/1.1 403 Forbidden\r\nContent-Length: 9\r\n\r\nforbidden")
        },
        { peer in  // RST while open
            try await peer.acceptUpgrade()
            await peer.reset()
        },
    ]

    @Test(
        "After N failing connections (600; WS1011_HYGIENE_CONNECTIONS for more) the client holds no socket",
        .enabled(if: SocketCensus.sockets(onPort: 1) != nil, "needs /proc/self/fd and /proc/net/tcp"))
    func clientDescriptors() async throws {
        let counter = HostileCounter()
        let server = try await HostileServer.start(scriptBound: .seconds(3)) { peer in
            let index = counter.next()
            try await Self.endings[index % Self.endings.count](peer)
        }
        var settings = try HostileServerTests.configuration(port: server.port, secure: false)
        settings.timeouts.close = .milliseconds(500)
        let configuration = settings
        let socketsBefore = try #require(SocketCensus.sockets(onPort: server.port))
        let before = SocketCensus.descriptors() ?? -1
        let total = ProcessInfo.processInfo.environment["WS1011_HYGIENE_CONNECTIONS"].flatMap(Int.init) ?? 600

        let attempt: @Sendable () async -> String = {
            let connection = await WebSocketConnection.connect(configuration)
            if await connection.isOpen { _ = await connection.receive(timeout: .milliseconds(500)) }
            await connection.close()
            let transcript = await connection.transcript()
            return transcript.failure?.kind.rawValue ?? "clean:\(transcript.close.transportEnd.rawValue)"
        }
        let kinds = await withTaskGroup(of: String.self) { group in
            var started = 0
            var kinds: [String: Int] = [:]
            while started < min(8, total) {
                group.addTask(operation: attempt)
                started += 1
            }
            while let kind = await group.next() {
                kinds[kind, default: 0] += 1
                if started < total {
                    group.addTask(operation: attempt)
                    started += 1
                }
            }
            return kinds
        }
        #expect(kinds.values.reduce(0, +) == total)
        #expect(kinds.count >= 4, "the endings were not all exercised: \(kinds)")
        await server.stop()
        let socketsAfter = await SocketCensus.settle(port: server.port, atMost: 0, within: .seconds(3))
        let after = SocketCensus.descriptors() ?? -1
        #expect(
            socketsAfter == 0,
            "sockets on the server's port: \(socketsBefore) before (listener), \(socketsAfter ?? -1) after \(total) connections and stop; outcomes \(kinds)"
        )
        if ProcessInfo.processInfo.environment["WS1011_HYGIENE_STRICT"] == "1" {
            #expect(after <= before + 8, "descriptors: \(before) before, \(after) after")
        }
    }

    @Test("Connection-refused attempts leave no socket behind")
    func refusedLeavesNothing() async throws {
        // A port that was just free: bind and release it via a server that stops at once.
        let server = try await HostileServer.start { _ in }
        let port = server.port
        await server.stop()
        let configuration = try HostileServerTests.configuration(port: port, secure: false)
        for _ in 0..<50 {
            let connection = await WebSocketConnection.connect(configuration)
            let transcript = await connection.transcript()
            #expect(transcript.failure?.kind == "connection-refused")
        }
        #expect(await SocketCensus.settle(port: port, atMost: 0, within: .seconds(2)) == 0)
    }
}
