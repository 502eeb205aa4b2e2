import Foundation
import Testing
import WebSocketDiagnosis
import WebSocketProbe
import WebSocketWire

@Suite("WebSocket client: frames, pings and malformed input")
struct WebSocketClientFrameTests {
    @Test func pingsGetRoundTripTimes() async throws {
        let server = try await ClientTestServer.start { peer in
            try await peer.acceptUpgrade()
            try await peer.echoLoop()
        }
        defer { Task { await server.stop() } }
        let connection = await WebSocketConnection.connect(.forTest(try server.url()))
        let first = await connection.ping()
        let second = await connection.ping()
        #expect(first != nil && second != nil)
        #expect((first ?? -1) >= 0)
        let t = await connection.transcript()
        #expect(t.pings.count == 2)
        #expect(t.pings.allSatisfy { $0.rttMs != nil })
        await connection.close()
    }

    @Test func pingWithoutPongTimesOut() async throws {
        let server = try await ClientTestServer.start { peer in
            try await peer.acceptUpgrade()
            await peer.waitForEOF()
        }
        defer { Task { await server.stop() } }
        let connection = await WebSocketConnection.connect(.forTest(try server.url()))
        #expect(await connection.ping(timeout: .milliseconds(150)) == nil)
        #expect(await connection.transcript().pings.first?.pongAtMs == nil)
        await connection.abort()
    }

    @Test func serverPingsAreAnsweredUnlessWithheld() async throws {
        let server = try await ClientTestServer.start { peer in
            try await peer.acceptUpgrade()
            try await peer.send(WebSocketFrame(opcode: .ping, payload: [7, 7]))
            let pong = try await peer.readFrame(opcode: .pong)
            try await peer.sendText(pong?.payload == [7, 7] ? "got pong" : "no pong")
            _ = try await peer.readFrame(opcode: .text)
            try await peer.send(WebSocketFrame(opcode: .ping, payload: [8]))
            try await peer.sendText("second ping sent")
            try await peer.echoLoop()
        }
        defer { Task { await server.stop() } }
        let connection = await WebSocketConnection.connect(.forTest(try server.url()))
        #expect(await connection.receive() == .text("got pong"))
        await connection.setAnswerPings(false)
        await connection.send(text: "pongs withheld now")
        #expect(await connection.receive() == .text("second ping sent"))
        await connection.close()
        let t = await connection.transcript()
        let outboundPongs = t.frames.filter { $0.direction == .outbound && $0.opcode == "pong" }
        #expect(outboundPongs.count == 1)
    }

    @Test func fragmentedMessagesAreReassembled() async throws {
        let server = try await ClientTestServer.start { peer in
            try await peer.acceptUpgrade()
            try await peer.send(WebSocketFrame(fin: false, opcode: .text, payload: Array("hel".utf8)))
            try await peer.send(WebSocketFrame(opcode: .ping, payload: [1]))
            try await peer.send(WebSocketFrame(fin: false, opcode: .continuation, payload: Array("lo ".utf8)))
            // A multi-byte character split across frames.
            let tail = Array("wörld".utf8)
            try await peer.send(WebSocketFrame(fin: false, opcode: .continuation, payload: Array(tail[0..<2])))
            try await peer.send(WebSocketFrame(fin: true, opcode: .continuation, payload: Array(tail[2...])))
            try await peer.echoLoop()
        }
        defer { Task { await server.stop() } }
        let connection = await WebSocketConnection.connect(.forTest(try server.url()))
        #expect(await connection.receive() == .text("hello wörld"))
        await connection.close()
        let t = await connection.transcript()
        #expect(t.frames.filter { $0.direction == .inbound && $0.opcode == "continuation" }.count == 3)
        #expect(t.findings.isEmpty)
    }

    @Test func largeBinaryMessageUsesExtendedLengths() async throws {
        let server = try await ClientTestServer.start { peer in
            try await peer.acceptUpgrade()
            try await peer.echoLoop()
        }
        defer { Task { await server.stop() } }
        let connection = await WebSocketConnection.connect(.forTest(try server.url()))
        let payload = (0..<70_000).map { UInt8($0 % 251) }
        await connection.send(binary: payload)
        #expect(await connection.receive() == .binary(payload))
        await connection.close()
    }

    @Test(arguments: [
        ([0x82, 0x7F, 0x80, 0, 0, 0, 0, 0, 0, 0] as [UInt8], FindingCode.oversizedFrame, 1002),
        ([0x82, 0x7F, 0, 0, 0, 0, 0x40, 0, 0, 0] as [UInt8], FindingCode.oversizedFrame, 1009),
        ([0x83, 0x00] as [UInt8], FindingCode.reservedOpcode, 1002),
        ([0xC1, 0x01, 0x41] as [UInt8], FindingCode.reservedBits, 1002),
        ([0x81, 0x81, 1, 2, 3, 4, 0x40] as [UInt8], FindingCode.maskedServerFrame, 1002),
        ([0x89, 0x7E, 0x00, 0x7E] + [UInt8](repeating: 0, count: 126), FindingCode.oversizedControlFrame, 1002),
        ([0x09, 0x00] as [UInt8], FindingCode.fragmentedControlFrame, 1002),
        ([0x80, 0x01, 0x41] as [UInt8], FindingCode.badContinuation, 1002),
        ([0x81, 0x02, 0xC3, 0x28] as [UInt8], FindingCode.invalidUTF8, 1007),
    ])
    func malformedServerFramesAreTypedFindingsAndFailTheConnection(bytes: [UInt8], code: FindingCode, closeCode: Int) async throws {
        let server = try await ClientTestServer.start { peer in
            try await peer.acceptUpgrade()
            try await peer.write(bytes)
            await peer.waitForEOF()
        }
        defer { Task { await server.stop() } }
        let connection = await WebSocketConnection.connect(.forTest(try server.url()))
        let observation = await connection.waitForEnd(timeout: .seconds(2))
        let t = await connection.transcript()
        #expect(t.findings.map(\.code) == [code])
        #expect(t.failure?.kind == "protocol-error")
        #expect(observation?.sent?.code == closeCode)
        #expect(observation != nil)
    }

    @Test(arguments: [
        ([0x88, 0x01, 0x03] as [UInt8], FindingCode.closeBodyTooShort),
        ([0x88, 0x02, 0x03, 0xED] as [UInt8], FindingCode.invalidCloseCode),  // 1005
        ([0x88, 0x02, 0x03, 0xEE] as [UInt8], FindingCode.invalidCloseCode),  // 1006
        ([0x88, 0x02, 0x03, 0xE7] as [UInt8], FindingCode.invalidCloseCode),  // 999
        ([0x88, 0x02, 0x13, 0x88] as [UInt8], FindingCode.invalidCloseCode),  // 5000
        ([0x88, 0x04, 0x03, 0xF3, 0xC3, 0x28] as [UInt8], FindingCode.invalidUTF8),
    ])
    func badCloseFramesAreFindingsAndAnsweredWithProtocolErrors(bytes: [UInt8], code: FindingCode) async throws {
        let server = try await ClientTestServer.start { peer in
            try await peer.acceptUpgrade()
            try await peer.write(bytes)
            _ = try await peer.readFrame(opcode: .close)
        }
        defer { Task { await server.stop() } }
        let connection = await WebSocketConnection.connect(.forTest(try server.url()))
        let observation = await connection.waitForEnd(timeout: .seconds(2))
        let t = await connection.transcript()
        #expect(t.findings.map(\.code) == [code])
        #expect(observation?.received != nil)
        #expect(observation?.sent?.code == (code == .invalidUTF8 ? 1007 : 1002))
    }

    @Test func frameLimitIsConfigurable() async throws {
        let server = try await ClientTestServer.start { peer in
            try await peer.acceptUpgrade()
            try await peer.send(WebSocketFrame(opcode: .binary, payload: [UInt8](repeating: 1, count: 2000)))
            await peer.waitForEOF()
        }
        defer { Task { await server.stop() } }
        var configuration = ClientConfiguration.forTest(try server.url())
        configuration.maxFrameBytes = 1000
        let connection = await WebSocketConnection.connect(configuration)
        let observation = await connection.waitForEnd(timeout: .seconds(2))
        #expect(observation?.sent?.code == 1009)
        #expect(await connection.transcript().findings.map(\.code) == [.oversizedFrame])
    }

    @Test func framesRightAfterTheUpgradeHeadAreNotLost() async throws {
        let server = try await ClientTestServer.start { peer in
            try await peer.readRequest()
            let accept = UpgradeRequest.acceptValue(forKey: peer.header("Sec-WebSocket-Key") ?? "")
            let head = Array(
                "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: \(accept)\r\n\r\n"
                    .utf8)
            try await peer.write(head + WebSocketFrame(opcode: .text, payload: Array("welcome".utf8)).encoded(maskKey: nil))
            try await peer.echoLoop()
        }
        defer { Task { await server.stop() } }
        let connection = await WebSocketConnection.connect(.forTest(try server.url()))
        #expect(await connection.receive() == .text("welcome"))
        await connection.close()
    }
}

@Suite("WebSocket client: permessage-deflate")
struct WebSocketClientDeflateTests {
    /// "hello hello hello compressed", raw deflate with a sync flush, trailer removed (RFC 7692 §7.2.1).
    static let compressed: [UInt8] = [202, 72, 205, 201, 201, 87, 200, 64, 34, 147, 243, 115, 11, 138, 82, 139, 139, 83, 83, 0, 0]

    @Test func compressedMessagesAreInflatedWhenDeflateWasNegotiated() async throws {
        let server = try await ClientTestServer.start { peer in
            try await peer.readRequest()
            let offered = peer.header("Sec-WebSocket-Extensions") ?? ""
            let accept = UpgradeRequest.acceptValue(forKey: peer.header("Sec-WebSocket-Key") ?? "")
            try await peer.write(
                "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: \(accept)\r\nSec-WebSocket-Extensions: permessage-deflate; server_no_context_takeover\r\n\r\n"
            )
            if offered.contains("permessage-deflate") {
                try await peer.send(WebSocketFrame(rsv: 0x4, opcode: .text, payload: Self.compressed))
            }
            try await peer.echoLoop()
        }
        defer { Task { await server.stop() } }
        var configuration = ClientConfiguration.forTest(try server.url())
        configuration.offerDeflate = true
        let connection = await WebSocketConnection.connect(configuration)
        #expect(await connection.isOpen)
        #expect(await connection.receive() == .text("hello hello hello compressed"))
        await connection.close()
        let t = await connection.transcript()
        #expect(t.handshake?.extensions.first?.hasPrefix("permessage-deflate") == true)
        #expect(t.request?.offeredExtensions == ["permessage-deflate; server_no_context_takeover; client_max_window_bits"])
        #expect(t.findings.isEmpty)
    }

    @Test func compressedFrameWithoutNegotiationIsAReservedBitsFinding() async throws {
        let server = try await ClientTestServer.start { peer in
            try await peer.acceptUpgrade()
            try await peer.send(WebSocketFrame(rsv: 0x4, opcode: .text, payload: Self.compressed))
            await peer.waitForEOF()
        }
        defer { Task { await server.stop() } }
        let connection = await WebSocketConnection.connect(.forTest(try server.url()))
        _ = await connection.waitForEnd(timeout: .seconds(2))
        #expect(await connection.transcript().findings.map(\.code) == [.reservedBits])
    }
}
