import Testing
import WebSocketDiagnosis
import WebSocketProbe
import WebSocketTestFramework

/// Phase 2: message flow — ping/pong, lifecycle events, error handling and recovery.
@Suite("Phase2 WebSocketMessageFlowTests", .tags(.phase2, .application))
struct Phase2WebSocketMessageFlowTests {
    static let fiveEvents = ["agent_started", "agent_thinking", "tool_executing", "tool_completed", "agent_completed"]

    @Test("A protocol ping gets a pong and a JSON ping gets a JSON pong", .realIO)
    func pingPong() async throws {
        let target = try await LabFixture.shared.target(.direct)
        let connection = await TestConnections.connect(target.clientConfiguration(token: try await target.token(for: TestUsers.agentUser)))
        let rtt = await connection.ping(timeout: PlanTimeouts.messageResponse)
        #expect(rtt != nil, "the server must answer a ping with a pong")
        await TestConnections.send(connection, type: "ping")
        let (events, _) = await TestConnections.receiveEvents(connection, until: ["pong"], timeout: PlanTimeouts.messageResponse)
        #expect(events.last?.type == "pong", "got \(events.map(\.type))")
        let t = await TestConnections.close(connection)
        #expect(t.pings.contains { $0.pongAtMs != nil })
    }

    @Test("An agent run delivers the five lifecycle events in order, each with run and user ids", .realIO)
    func lifecycleEventsInOrder() async throws {
        let target = try await LabFixture.shared.target(.direct)
        let user = TestUsers.agentUser
        let connection = await TestConnections.connect(target.clientConfiguration(token: try await target.token(for: user)))
        await TestConnections.send(connection, type: "start_agent", payload: ["message": "lifecycle"])
        let (events, outcome) = await TestConnections.receiveEvents(connection, until: ["agent_completed"], timeout: PlanTimeouts.messageResponse)
        #expect(outcome == .reached)
        expectEvents(events.map(\.type), Self.fiveEvents)
        let agentEvents = events.filter { Self.fiveEvents.contains($0.type) }
        #expect(agentEvents.filter { $0.type == "agent_thinking" }.count >= 2, "agent_thinking streams at least twice")
        #expect(Set(agentEvents.compactMap { $0.field("run_id") }).count == 1, "one run id for the whole run")
        #expect(agentEvents.allSatisfy { $0.field("user_id") == user.userID })
        _ = await TestConnections.close(connection)
    }

    @Test("Malformed JSON gets an error message and the connection stays usable", .realIO)
    func malformedJSONIsAnErrorNotADrop() async throws {
        let target = try await LabFixture.shared.target(.direct)
        let connection = await TestConnections.connect(target.clientConfiguration(token: try await target.token(for: TestUsers.agentUser)))
        await connection.send(text: "{not json")
        let (events, _) = await TestConnections.receiveEvents(connection, until: ["error", "error_message"], timeout: PlanTimeouts.messageResponse)
        #expect(events.contains { $0.type.hasPrefix("error") }, "got \(events.map(\.type))")
        await TestConnections.send(connection, type: "ping")
        let (after, _) = await TestConnections.receiveEvents(connection, until: ["pong"], timeout: PlanTimeouts.messageResponse)
        #expect(after.last?.type == "pong", "the connection must recover after the error")
        _ = await TestConnections.close(connection)
    }

    @Test("A user without agent_execution gets a clear error, not a dropped socket", .realIO)
    func userWithoutAgentPermissionGetsAnError() async throws {
        let target = try await LabFixture.shared.target(.direct)
        let connection = await TestConnections.connect(target.clientConfiguration(token: try await target.token(for: TestUsers.connectOnlyUser)))
        await TestConnections.send(connection, type: "start_agent", payload: ["message": "not allowed"])
        let (events, outcome) = await TestConnections.receiveEvents(connection, until: ["error", "error_message", "agent_started"], timeout: PlanTimeouts.messageResponse)
        #expect(outcome == .reached)
        #expect(events.last?.type.hasPrefix("error") == true, "got \(events.map(\.type))")
        #expect(await connection.isOpen)
        _ = await TestConnections.close(connection)
    }
}
