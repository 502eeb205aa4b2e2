import Testing
import WebSocketDiagnosis
import WebSocketProbe
import WebSocketTestFramework

/// Phase 2: message flow — ping/pong, lifecycle events, error handling and recovery.
@Suite("Phase2 WebSocketMessageFlowTests", .tags(.phase2, .application))
struct Phase2WebSocketMessageFlowTests {
    /// The critical events of the run's profile (the lab's five by default).
    static var fiveEvents: [String] { TestContract.criticalEvents }

    @Test("A protocol ping gets a pong and a JSON ping gets a JSON pong", .realIO)
    func pingPong() async throws {
        let target = try await LabFixture.shared.target(.direct)
        let connection = await TestConnections.connect(target.clientConfiguration(token: try await target.token(for: TestUsers.agentUser)))
        let rtt = await connection.ping(timeout: PlanTimeouts.messageResponse)
        #expect(rtt != nil, "the server must answer a ping with a pong")
        if let heartbeat = TestContract.heartbeat {
            await TestConnections.send(connection, type: heartbeat.send)
            let (events, _) = await TestConnections.receiveEvents(
                connection, until: [heartbeat.expect], timeout: PlanTimeouts.messageResponse)
            #expect(events.last?.type == heartbeat.expect, "got \(events.map(\.type))")
        }
        let t = await TestConnections.close(connection)
        #expect(t.pings.contains { $0.pongAtMs != nil })
    }

    @Test("An agent run delivers the five lifecycle events in order, each with run and user ids", .realIO)
    func lifecycleEventsInOrder() async throws {
        let target = try await LabFixture.shared.target(.direct)
        let user = TestUsers.agentUser
        let run = try #require(TestContract.agentRun, "the \(TestContract.profile.name) profile has no agent run")
        let token = try await target.token(for: user)
        let connection = await TestConnections.connect(target.clientConfiguration(token: token))
        await TestContract.send(connection, run, token: token)
        let (events, outcome) = await TestConnections.receiveEvents(
            connection, until: [run.expect.endingEvent ?? ""], timeout: PlanTimeouts.messageResponse)
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
        let errorTypes = Set(TestContract.profile.errorTypes)
        let (events, _) = await TestConnections.receiveEvents(connection, until: errorTypes, timeout: PlanTimeouts.messageResponse)
        #expect(events.contains { errorTypes.contains($0.type) }, "got \(events.map(\.type))")
        let heartbeat = try #require(
            TestContract.heartbeat, "the \(TestContract.profile.name) profile has no message heartbeat to check recovery with")
        await TestConnections.send(connection, type: heartbeat.send)
        let (after, _) = await TestConnections.receiveEvents(connection, until: [heartbeat.expect], timeout: PlanTimeouts.messageResponse)
        #expect(after.last?.type == heartbeat.expect, "the connection must recover after the error")
        _ = await TestConnections.close(connection)
    }

    @Test("A user without agent_execution gets a clear error, not a dropped socket", .realIO)
    func userWithoutAgentPermissionGetsAnError() async throws {
        let target = try await LabFixture.shared.target(.direct)
        let run = try #require(TestContract.agentRun, "the \(TestContract.profile.name) profile has no agent run")
        let errorTypes = Set(TestContract.profile.errorTypes)
        let token = try await target.token(for: TestUsers.connectOnlyUser)
        let connection = await TestConnections.connect(target.clientConfiguration(token: token))
        await TestContract.send(connection, run, token: token)
        let (events, outcome) = await TestConnections.receiveEvents(
            connection, until: errorTypes.union(run.expect.events.prefix(1)), timeout: PlanTimeouts.messageResponse)
        #expect(outcome == .reached)
        #expect(errorTypes.contains(events.last?.type ?? ""), "got \(events.map(\.type))")
        #expect(await connection.isOpen)
        _ = await TestConnections.close(connection)
    }
}
