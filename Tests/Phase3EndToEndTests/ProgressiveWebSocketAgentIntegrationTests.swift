import Testing
import WebSocketTestFramework

/// Phase 3: agent runs through the front — all five events, streaming stability, 100 % delivery over repeats.
@Suite("Phase3 ProgressiveWebSocketAgentIntegrationTests", .tags(.phase3, .e2e))
struct Phase3ProgressiveWebSocketAgentIntegrationTests {
    static let fiveEvents = ["agent_started", "agent_thinking", "tool_executing", "tool_completed", "agent_completed"]

    @Test("A minimal agent run delivers all five events", .realIO)
    func minimalAgentRun() async throws {
        let target = try await LabFixture.shared.target(.front)
        let connection = await TestConnections.connect(target.clientConfiguration(token: try await target.token(for: TestUsers.agentUser)))
        await TestConnections.send(connection, type: "user_message", payload: ["message": "hello agent"])
        let (events, _) = await TestConnections.receiveEvents(connection, until: ["agent_completed"], timeout: PlanTimeouts.messageResponse)
        expectEvents(events.map(\.type), Self.fiveEvents)
        _ = await TestConnections.close(connection)
    }

    @Test("Streaming stays stable over several consecutive streams on one connection", .realIO)
    func streamingStability() async throws {
        let target = try await LabFixture.shared.target(.front)
        let connection = await TestConnections.connect(target.clientConfiguration(token: try await target.token(for: TestUsers.agentUser)))
        for round in 0..<3 {
            await TestConnections.send(connection, type: "stream_request", payload: ["chunks": 20])
            let (events, outcome) = await TestConnections.receiveEvents(connection, until: ["stream_complete"], timeout: PlanTimeouts.messageResponse)
            #expect(outcome == .reached, "round \(round)")
            #expect(events.filter { $0.type == "partial_result" }.count == 20, "round \(round): every chunk arrives")
        }
        #expect(await connection.isOpen)
        _ = await TestConnections.close(connection)
    }

    @Test("Critical events are delivered 100% of the time over repeated runs", .realIO)
    func criticalEventDeliveryOverRepeatedRuns() async throws {
        let target = try await LabFixture.shared.target(.front)
        let connection = await TestConnections.connect(target.clientConfiguration(token: try await target.token(for: TestUsers.agentUser)))
        var complete = 0
        let runs = 5
        for i in 0..<runs {
            await TestConnections.send(connection, type: "start_agent", payload: ["message": "run \(i)"])
            let (events, _) = await TestConnections.receiveEvents(connection, until: ["agent_completed"], timeout: PlanTimeouts.messageResponse)
            let types = events.map(\.type)
            if Self.fiveEvents.allSatisfy(types.contains) { complete += 1 }
        }
        #expect(complete == runs, "\(complete)/\(runs) runs delivered all five events")
        _ = await TestConnections.close(connection)
    }
}
