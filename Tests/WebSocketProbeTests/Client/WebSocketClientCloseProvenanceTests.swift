import Foundation
import Testing
import WebSocketDiagnosis
import WebSocketProbe
import WebSocketWire

@Suite("WebSocket client: how a connection ends")
struct WebSocketClientCloseProvenanceTests {
    @Test func serverCloseFrameIsReceivedFirstAndAnswered() async throws {
        let server = try await ClientTestServer.start { peer in
            try await peer.acceptUpgrade()
            try await peer.sendClose(code: 1011, reason: "Internal error")
            _ = try await peer.readFrame(opcode: .close)
        }
        defer { Task { await server.stop() } }
        let connection = await WebSocketConnection.connect(.forTest(try server.url()))
        guard case .closed(let observation) = await connection.receive() else {
            Issue.record("expected the connection to be closed")
            return
        }
        #expect(observation.received?.code == 1011)
        #expect(observation.received?.reason == "Internal error")
        #expect(observation.sent?.code == 1011)
        #expect(observation.order == .receivedFirst)
        #expect(observation.transportEnd == .eof)
        #expect(observation.effectiveCode == 1011)
        #expect(observation.sinceLastInboundMs != nil)
        #expect(await !connection.isOpen)
    }

    @Test func closeFrameWithoutStatusIsRecordedAsNoCode() async throws {
        let server = try await ClientTestServer.start { peer in
            try await peer.acceptUpgrade()
            try await peer.sendClose(code: nil)
            _ = try await peer.readFrame(opcode: .close)
        }
        defer { Task { await server.stop() } }
        let connection = await WebSocketConnection.connect(.forTest(try server.url()))
        let observation = await connection.waitForEnd(timeout: .seconds(2))
        #expect(observation?.received?.code == nil)
        #expect(observation?.received != nil)
        #expect(observation?.effectiveCode == 1005)
        #expect(observation?.sent?.code == nil)
    }

    @Test func clientCloseIsSentFirst() async throws {
        let server = try await ClientTestServer.start { peer in
            try await peer.acceptUpgrade()
            try await peer.echoLoop()
        }
        defer { Task { await server.stop() } }
        let connection = await WebSocketConnection.connect(.forTest(try server.url()))
        await connection.close(code: 1001, reason: "bye")
        let t = await connection.transcript()
        #expect(t.close.sent?.code == 1001)
        #expect(t.close.sent?.reason == "bye")
        #expect(t.close.received?.code == 1001)
        #expect(t.close.order == .sentFirst)
        #expect(t.close.transportEnd == .eof)
        #expect(t.failure == nil)
    }

    @Test func eofWithoutCloseFrameIsAnAbnormalEnd() async throws {
        let server = try await ClientTestServer.start { peer in
            try await peer.acceptUpgrade()
            try await peer.sendText("one")
        }
        defer { Task { await server.stop() } }
        let connection = await WebSocketConnection.connect(.forTest(try server.url()))
        #expect(await connection.receive() == .text("one"))
        let observation = await connection.waitForEnd(timeout: .seconds(2))
        #expect(observation?.received == nil)
        #expect(observation?.sent == nil)
        #expect(observation?.order == CloseOrder.none)
        #expect(observation?.transportEnd == .eof)
        #expect(observation?.effectiveCode == 1006)
        let t = await connection.transcript()
        #expect(t.failure?.kind == "connection-closed")
        #expect(t.failure?.stage == .websocket)
    }

    @Test func tcpResetIsRecordedAsReset() async throws {
        let server = try await ClientTestServer.start { peer in
            try await peer.acceptUpgrade()
            // Long enough that a loaded client has reported the open before the reset lands.
            try await Task.sleep(for: .milliseconds(400))
            await peer.reset()
        }
        defer { Task { await server.stop() } }
        let connection = await WebSocketConnection.connect(.forTest(try server.url()))
        #expect(await connection.isOpen)
        let observation = await connection.waitForEnd(timeout: .seconds(2))
        #expect(observation?.transportEnd == .reset)
        #expect(observation?.received == nil)
        #expect(await connection.transcript().failure?.kind == "reset")
    }

    @Test func peerThatNeverAnswersOurCloseEndsInALocalTimeout() async throws {
        let server = try await ClientTestServer.start { peer in
            try await peer.acceptUpgrade()
            await peer.waitForEOF()
        }
        defer { Task { await server.stop() } }
        var configuration = ClientConfiguration.forTest(try server.url())
        configuration.timeouts.close = .milliseconds(300)
        let connection = await WebSocketConnection.connect(configuration)
        await connection.close()
        let t = await connection.transcript()
        #expect(t.close.sent?.code == 1000)
        #expect(t.close.received == nil)
        #expect(t.close.order == .sentOnly)
        #expect(t.close.transportEnd == .localTimeout)
    }

    @Test func openConnectionShowsStillOpenAndTimeoutOnReceive() async throws {
        let server = try await ClientTestServer.start { peer in
            try await peer.acceptUpgrade()
            try await peer.echoLoop()
        }
        defer { Task { await server.stop() } }
        let connection = await WebSocketConnection.connect(.forTest(try server.url()))
        #expect(await connection.receive(timeout: .milliseconds(100)) == .timeout)
        #expect(await connection.waitForEnd(timeout: .milliseconds(50)) == nil)
        let t = await connection.transcript()
        #expect(t.close.transportEnd == .stillOpen)
        #expect(await connection.isOpen)
        await connection.close()
    }

    @Test func abortDropsTheTransportWithoutACloseFrame() async throws {
        let server = try await ClientTestServer.start { peer in
            try await peer.acceptUpgrade()
            try await peer.echoLoop()
        }
        defer { Task { await server.stop() } }
        let connection = await WebSocketConnection.connect(.forTest(try server.url()))
        await connection.abort()
        let t = await connection.transcript()
        #expect(t.close.sent == nil)
        #expect(t.close.transportEnd == .localClose)
        #expect(!t.frames.contains { $0.opcode == "close" })
    }

    @Test func keepaliveGivingUpSendsInternalErrorAndReceivesNothing() async throws {
        let server = try await ClientTestServer.start { peer in
            try await peer.acceptUpgrade()
            await peer.waitForEOF()  // never answers pings
        }
        defer { Task { await server.stop() } }
        var configuration = ClientConfiguration.forTest(try server.url())
        configuration.keepalive = .init(interval: .milliseconds(100), timeout: .milliseconds(200))
        let connection = await WebSocketConnection.connect(configuration)
        let observation = await connection.waitForEnd(timeout: .seconds(3))
        #expect(observation?.sent?.code == 1011)
        #expect(observation?.sent?.reason == "keepalive ping timeout")
        #expect(observation?.received == nil)
        #expect(observation?.order == .sentOnly)
        #expect(observation?.transportEnd == .localTimeout)
        let t = await connection.transcript()
        #expect(t.findings.map(\.code).contains(.keepaliveTimeout))
        #expect(t.pings.first?.pongAtMs == nil)
    }

    @Test func keepaliveKeepsAnAnsweringConnectionOpen() async throws {
        let server = try await ClientTestServer.start { peer in
            try await peer.acceptUpgrade()
            try await peer.echoLoop()
        }
        defer { Task { await server.stop() } }
        var configuration = ClientConfiguration.forTest(try server.url())
        // A pong timeout far above any loopback round trip, even on a loaded machine: this test is about an
        // answering peer (the silent peer's timeout is tested above). Wait (bounded) for a few keepalive pings.
        configuration.keepalive = .init(interval: .milliseconds(50), timeout: .seconds(3))
        let connection = await WebSocketConnection.connect(configuration)
        #expect(await connection.isOpen)
        let deadline = ContinuousClock.now + .seconds(5)
        var t = await connection.transcript()
        while t.pings.count < 3, ContinuousClock.now < deadline {
            try await Task.sleep(for: .milliseconds(50))
            t = await connection.transcript()
        }
        #expect(await connection.isOpen)
        #expect(t.pings.count >= 2)
        #expect(t.pings.allSatisfy { $0.rttMs != nil } || t.pings.dropLast().allSatisfy { $0.rttMs != nil })
        await connection.close()
    }
}
