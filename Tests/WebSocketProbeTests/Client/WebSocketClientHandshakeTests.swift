import Foundation
import Testing
import WebSocketDiagnosis
import WebSocketProbe

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

@Suite("WebSocket client: the upgrade handshake")
struct WebSocketClientHandshakeTests {
    @Test func healthyEchoRecordsTimingsFramesAndACleanClose() async throws {
        let server = try await ClientTestServer.start { peer in
            try await peer.acceptUpgrade()
            try await peer.echoLoop()
        }
        defer { Task { await server.stop() } }
        let connection = await WebSocketConnection.connect(.forTest(try server.url("/ws?room=1")))
        #expect(await connection.isOpen)
        await connection.send(text: "hello")
        #expect(await connection.receive() == .text("hello"))
        await connection.send(binary: [1, 2, 3])
        #expect(await connection.receive() == .binary([1, 2, 3]))
        await connection.close()
        let t = await connection.transcript()
        #expect(t.handshake?.status == 101)
        #expect(t.handshake?.acceptValid == true)
        #expect(t.failure == nil)
        #expect(t.findings.isEmpty)
        #expect(t.timings.dnsMs != nil && t.timings.tcpMs != nil && t.timings.upgradeMs != nil)
        #expect(t.timings.requestWrittenAtMs != nil && t.timings.firstResponseByteAtMs != nil)
        #expect(t.timings.openAtMs != nil && t.timings.firstFrameAtMs != nil)
        #expect(t.tls == nil)
        #expect(t.request?.resource == "/ws?room=1")
        #expect(t.close.sent?.code == 1000)
        #expect(t.close.received?.code == 1000)
        #expect(t.close.order == .sentFirst)
        #expect(t.close.transportEnd == .eof)
        #expect(t.frames.filter { $0.direction == .outbound }.map(\.opcode) == ["text", "binary", "close"])
        #expect(t.frames.filter { $0.direction == .inbound }.map(\.opcode) == ["text", "binary", "close"])
        #expect(t.frames.first?.preview == "hello")
        #expect(t.wire.bytesIn > 0 && t.wire.bytesOut > 0)
        #expect(t.connectedAddress == "127.0.0.1:\(server.port)")
    }

    @Test func wrongAcceptKeyFailsTheUpgradeWithAFinding() async throws {
        let server = try await ClientTestServer.start { peer in
            try await peer.readRequest()
            try await peer.write(
                "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: AAAAAAAAAAAAAAAAAAAAAAAAAAA=\r\n\r\n"
            )
            await peer.waitForEOF()
        }
        defer { Task { await server.stop() } }
        let connection = await WebSocketConnection.connect(.forTest(try server.url()))
        #expect(await !connection.isOpen)
        let t = await connection.transcript()
        #expect(t.handshake?.acceptValid == false)
        #expect(t.findings.map(\.code) == [.badAcceptKey])
        #expect(t.failure?.kind == "invalid-upgrade-response")
        #expect(t.failure?.stage == .upgrade)
        #expect(t.close.transportEnd == .localClose)
    }

    @Test func missingUpgradeHeaderIsOneFinding() async throws {
        let server = try await ClientTestServer.start { peer in
            try await peer.readRequest()
            let accept = UpgradeRequest.acceptValue(forKey: peer.header("Sec-WebSocket-Key") ?? "")
            try await peer.write("HTTP/1.1 101 Switching Protocols\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: \(accept)\r\n\r\n")
            await peer.waitForEOF()
        }
        defer { Task { await server.stop() } }
        let connection = await WebSocketConnection.connect(.forTest(try server.url()))
        let t = await connection.transcript()
        #expect(await !connection.isOpen)
        #expect(t.handshake?.acceptValid == true)
        #expect(t.findings.map(\.code) == [.missingUpgradeHeader])
    }

    @Test(arguments: [
        (403, "Forbidden", "invalid token"),
        (426, "Upgrade Required", "Upgrade Required"),
        (500, "Internal Server Error", "Internal Server Error"),
    ])
    func rejectedUpgradeKeepsStatusHeadersAndBody(status: Int, reason: String, body: String) async throws {
        let server = try await ClientTestServer.start { peer in
            try await peer.readRequest()
            try await peer.write(
                "HTTP/1.1 \(status) \(reason)\r\nContent-Type: text/plain\r\nContent-Length: \(body.utf8.count)\r\nX-Served-By: test\r\n\r\n\(body)"
            )
            await peer.waitForEOF()
        }
        defer { Task { await server.stop() } }
        let connection = await WebSocketConnection.connect(.forTest(try server.url()))
        let t = await connection.transcript()
        #expect(await !connection.isOpen)
        #expect(t.handshake?.status == status)
        #expect(t.handshake?.reasonPhrase == reason)
        #expect(t.handshake?.headers.first(named: "X-Served-By") == "test")
        #expect(t.handshake?.bodyPreview == body)
        #expect(t.handshake?.bodyBytes == body.utf8.count)
        #expect(t.failure?.kind == "upgrade-rejected")
        #expect(t.findings.map(\.code) == [.unexpectedStatus])
        #expect(t.close.transportEnd != .stillOpen)
    }

    @Test func rejectedBodyIsCappedAtFourKiB() async throws {
        let body = String(repeating: "x", count: 10_000)
        let server = try await ClientTestServer.start { peer in
            try await peer.readRequest()
            try await peer.write("HTTP/1.1 403 Forbidden\r\nContent-Length: \(body.count)\r\n\r\n\(body)")
        }
        defer { Task { await server.stop() } }
        let connection = await WebSocketConnection.connect(.forTest(try server.url()))
        let t = await connection.transcript()
        #expect(t.handshake?.bodyPreview?.count == 4096)
        #expect((t.handshake?.bodyBytes ?? 0) >= 4096)
    }

    @Test func subprotocolNotEchoedFailsTheConnection() async throws {
        let server = try await ClientTestServer.start { peer in
            try await peer.acceptUpgrade(echoFirstSubprotocol: false)
            await peer.waitForEOF()
        }
        defer { Task { await server.stop() } }
        var configuration = ClientConfiguration.forTest(try server.url())
        configuration.subprotocols = ["chat.v1"]
        let connection = await WebSocketConnection.connect(configuration)
        let t = await connection.transcript()
        #expect(await !connection.isOpen)
        #expect(t.findings.map(\.code) == [.subprotocolNotEchoed])
        #expect(t.request?.offeredSubprotocols == ["chat.v1"])
    }

    @Test func unexpectedSubprotocolIsAFinding() async throws {
        let server = try await ClientTestServer.start { peer in
            try await peer.acceptUpgrade(extraHeaders: ["Sec-WebSocket-Protocol: other"], echoFirstSubprotocol: false)
            await peer.waitForEOF()
        }
        defer { Task { await server.stop() } }
        var configuration = ClientConfiguration.forTest(try server.url())
        configuration.subprotocols = ["chat.v1"]
        let connection = await WebSocketConnection.connect(configuration)
        let t = await connection.transcript()
        #expect(t.findings.map(\.code) == [.unexpectedSubprotocol])
        #expect(t.handshake?.subprotocol == "other")
    }

    @Test func echoedSubprotocolIsNegotiated() async throws {
        let server = try await ClientTestServer.start { peer in
            try await peer.acceptUpgrade()
            try await peer.echoLoop()
        }
        defer { Task { await server.stop() } }
        var configuration = ClientConfiguration.forTest(try server.url())
        configuration.subprotocols = ["chat.v2", "chat.v1"]
        let connection = await WebSocketConnection.connect(configuration)
        #expect(await connection.negotiatedSubprotocol == "chat.v2")
        await connection.close()
    }

    @Test func garbageInsteadOfHTTPIsAMalformedResponse() async throws {
        let server = try await ClientTestServer.start { peer in
            try await peer.readRequest()
            try await peer.write([0x16, 0x03, 0x01, 0x00, 0x05, 1, 2, 3, 4, 5])
            await peer.waitForEOF()
        }
        defer { Task { await server.stop() } }
        let connection = await WebSocketConnection.connect(.forTest(try server.url()))
        let t = await connection.transcript()
        #expect(t.findings.map(\.code) == [.malformedResponse])
        #expect(t.failure?.kind == "invalid-upgrade-response")
    }

    @Test func silentServerHitsTheUpgradeTimeout() async throws {
        let server = try await ClientTestServer.start { peer in
            try await peer.readRequest()
            await peer.waitForEOF()
        }
        defer { Task { await server.stop() } }
        var configuration = ClientConfiguration.forTest(try server.url())
        configuration.timeouts.upgrade = .milliseconds(300)
        let clock = ContinuousClock()
        let started = clock.now
        let connection = await WebSocketConnection.connect(configuration)
        // Far below the 10 s default bound, with room for a loaded machine.
        #expect(clock.now - started < .seconds(4))
        let t = await connection.transcript()
        #expect(t.failure?.kind == "handshake-timeout")
        #expect(t.close.transportEnd == .localTimeout)
        #expect(t.timings.requestWrittenAtMs != nil)
        #expect(t.timings.firstResponseByteAtMs == nil)
    }

    @Test func serverHangingUpBeforeAnsweringIsRecorded() async throws {
        let server = try await ClientTestServer.start { peer in
            try await peer.readRequest()
        }
        defer { Task { await server.stop() } }
        let connection = await WebSocketConnection.connect(.forTest(try server.url()))
        let t = await connection.transcript()
        #expect(t.failure?.stage == .upgrade)
        #expect(t.failure?.kind == "connection-closed")
        #expect(t.close.transportEnd == .eof)
    }

    @Test func refusedConnectionIsATCPFailure() async throws {
        let closed = try ClosedPort()
        let url = try WebSocketURL(parsing: "ws://127.0.0.1:\(closed.port)/")
        let connection = await WebSocketConnection.connect(.forTest(url))
        let t = await connection.transcript()
        withExtendedLifetime(closed) {}
        #expect(t.failure?.stage == .tcp)
        #expect(t.failure?.kind == "connection-refused")
        #expect(t.close.transportEnd == .notConnected)
        #expect(t.resolvedAddresses == ["127.0.0.1:\(url.port)"])
    }

    @Test func localhostIsResolvedExplicitly() async throws {
        let server = try await ClientTestServer.start { peer in
            try await peer.acceptUpgrade()
            try await peer.echoLoop()
        }
        defer { Task { await server.stop() } }
        let connection = await WebSocketConnection.connect(.forTest(try WebSocketURL(parsing: "ws://localhost:\(server.port)/")))
        let t = await connection.transcript()
        #expect(t.resolvedAddresses.contains("127.0.0.1:\(server.port)"))
        #expect(t.timings.dnsMs != nil)
        #expect(await connection.isOpen)
        #expect(t.connectedAddress == "127.0.0.1:\(server.port)")
        await connection.close()
    }

    @Test func secretsInHeadersSubprotocolsAndQueryNeverReachTheTranscript() async throws {
        let token = "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJ0ZXN0In0.c2lnbmF0dXJlLXNlY3JldA"
        let apiKey = "k3y-very-secret-value"
        let server = try await ClientTestServer.start { peer in
            try await peer.acceptUpgrade(extraHeaders: ["X-Echo-Key: \(apiKey)"])
            try await peer.sendText("your token is \(token)")
            try await peer.echoLoop()
        }
        defer { Task { await server.stop() } }
        var configuration = ClientConfiguration.forTest(try server.url("/ws?token=\(token)&room=1"))
        configuration.headers = [HeaderField("Authorization", "Bearer \(token)"), HeaderField("X-Custom", apiKey)]
        configuration.subprotocols = ["jwt-auth", "jwt.\(token)"]
        configuration.redactor = configuration.redactor.adding(secrets: [apiKey])
        let connection = await WebSocketConnection.connect(configuration)
        #expect(await connection.isOpen)
        _ = await connection.receive()
        await connection.send(text: "sending \(apiKey)")
        _ = await connection.receive()
        await connection.close()
        let json = String(decoding: try JSONEncoder().encode(await connection.transcript()), as: UTF8.self)
        #expect(!json.contains(token))
        #expect(!json.contains(apiKey))
        #expect(json.contains("room=1"))
        #expect(json.contains("jwt-auth"))
    }
}

/// Whether this machine can listen on ::1.
let loopbackIPv6Available: Bool = {
    #if canImport(Darwin)
        let streamType = SOCK_STREAM
    #else
        let streamType = Int32(SOCK_STREAM.rawValue)
    #endif
    let fd = socket(AF_INET6, streamType, 0)
    guard fd >= 0 else { return false }
    defer { close(fd) }
    var address = sockaddr_in6()
    address.sin6_family = sa_family_t(AF_INET6)
    address.sin6_addr = in6addr_loopback
    return withUnsafePointer(to: &address) {
        $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in6>.size)) == 0 }
    }
}()

@Suite("WebSocket client: IPv6")
struct WebSocketClientIPv6Tests {
    @Test(.enabled(if: loopbackIPv6Available, "::1 is not available on this machine"))
    func bracketedIPv6LiteralConnects() async throws {
        let server = try await ClientTestServer.start(host: "::1") { peer in
            try await peer.acceptUpgrade()
            try await peer.echoLoop()
        }
        defer { Task { await server.stop() } }
        let url = try server.url()
        #expect(url.host == "::1")
        let connection = await WebSocketConnection.connect(.forTest(url))
        #expect(await connection.isOpen)
        await connection.send(text: "v6")
        #expect(await connection.receive() == .text("v6"))
        await connection.close()
        let t = await connection.transcript()
        #expect(t.connectedAddress == "[::1]:\(server.port)")
        #expect(t.request?.headers.first(named: "Host") == "[::1]:\(server.port)")
    }
}
