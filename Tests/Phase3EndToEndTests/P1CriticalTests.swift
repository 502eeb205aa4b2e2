import Testing
import WebSocketDiagnosis
import WebSocketProbe
import WebSocketTestFramework

/// Phase 3: the plan's P1 critical tests, through the front (the lab's cloud-run emulation, or staging).
@Suite("Phase3 P1CriticalTests", .tags(.phase3, .e2e, .p1Critical))
struct Phase3P1CriticalTests {
    static let fiveEvents = ["agent_started", "agent_thinking", "tool_executing", "tool_completed", "agent_completed"]

    @Test("test_001_websocket_connection_real: connection, welcome and ping within the plan's bounds", .realIO)
    func test_001_websocket_connection_real() async throws {
        let target = try await LabFixture.shared.target(.front)
        var timeouts = ClientConfiguration.Timeouts()
        timeouts.connect = PlanTimeouts.connection
        timeouts.upgrade = PlanTimeouts.connection
        let start = ContinuousClock.now
        let connection = await TestConnections.connect(target.clientConfiguration(token: try await target.token(for: TestUsers.agentUser), timeouts: timeouts))
        #expect(await connection.isOpen, "the connection must open through \(target.name)")
        #expect(ContinuousClock.now - start < PlanTimeouts.connection)
        let (events, _) = await TestConnections.receiveEvents(connection, until: ["connection_established"], timeout: PlanTimeouts.messageResponse)
        #expect(events.last?.type == "connection_established", "got \(events.map(\.type))")
        #expect(await connection.ping(timeout: PlanTimeouts.messageResponse) != nil, "a ping must get a pong")
        _ = await TestConnections.close(connection)
    }

    @Test("test_002_websocket_authentication_real: auth is enforced without a token and accepted with one", .realIO)
    func test_002_websocket_authentication_real() async throws {
        let target = try await LabFixture.shared.target(.front)
        let refused = await TestConnections.connect(target.clientConfiguration(token: nil))
        let refusedTranscript = await TestConnections.transcript(of: refused)
        #expect(await !refused.isOpen, "a connection without a token must be refused")
        #expect([401, 403].contains(refusedTranscript.handshake?.status ?? 0) || refusedTranscript.close.received?.code == 1008)
        let start = ContinuousClock.now
        let token = try await TestTokens.fetch(from: target, user: TestUsers.agentUser, timeout: PlanTimeouts.authentication)
        let accepted = await TestConnections.connect(target.clientConfiguration(token: token))
        #expect(ContinuousClock.now - start < PlanTimeouts.authentication)
        #expect(await accepted.isOpen)
        #expect(await accepted.negotiatedSubprotocol == "jwt-auth")
        _ = await TestConnections.close(accepted)
    }

    @Test("test_023_streaming_partial_results_real: streamed partial results arrive in order", .realIO)
    func test_023_streaming_partial_results_real() async throws {
        let target = try await LabFixture.shared.target(.front)
        let connection = await TestConnections.connect(target.clientConfiguration(token: try await target.token(for: TestUsers.agentUser)))
        await TestConnections.send(connection, type: "stream_request", payload: ["chunks": 8])
        let (events, outcome) = await TestConnections.receiveEvents(connection, until: ["stream_complete"], timeout: PlanTimeouts.messageResponse)
        #expect(outcome == .reached, "stream_complete must arrive within \(PlanTimeouts.messageResponse)")
        let indices = events.filter { $0.type == "partial_result" }.compactMap { $0.field("index").flatMap { Int($0) } }
        #expect(indices == Array(0..<8), "partial results in order, none missing: \(indices)")
        _ = await TestConnections.close(connection)
    }

    @Test("test_025_critical_event_delivery_real: all five critical events are delivered", .realIO)
    func test_025_critical_event_delivery_real() async throws {
        let target = try await LabFixture.shared.target(.front)
        let connection = await TestConnections.connect(target.clientConfiguration(token: try await target.token(for: TestUsers.agentUser)))
        await TestConnections.send(connection, type: "start_agent", payload: ["message": "critical events"])
        let (events, outcome) = await TestConnections.receiveEvents(connection, until: ["agent_completed"], timeout: PlanTimeouts.messageResponse)
        #expect(outcome == .reached)
        expectEvents(events.map(\.type), Self.fiveEvents)
        _ = await TestConnections.close(connection)
    }
}
