import Testing
import WebSocketTestFramework

/// Phase 3: agent runs through the front — all five events, streaming stability, 100 % delivery over repeats.
@Suite("Phase3 ProgressiveWebSocketAgentIntegrationTests", .tags(.phase3, .e2e))
struct Phase3ProgressiveWebSocketAgentIntegrationTests {
    /// The critical events of the run's profile (the lab's five by default).
    static var fiveEvents: [String] { TestContract.criticalEvents }

    @Test("A minimal agent run delivers all five events", .realIO)
    func minimalAgentRun() async throws {
        let target = try await LabFixture.shared.target(.front)
        let run = try #require(TestContract.agentRun, "the \(TestContract.profile.name) profile has no agent run")
        let token = try await target.token(for: TestUsers.agentUser)
        let connection = await TestConnections.connect(target.clientConfiguration(token: token))
        await TestContract.send(connection, run, token: token)
        let (events, _) = await TestConnections.receiveEvents(
            connection, until: [run.expect.endingEvent ?? ""], timeout: PlanTimeouts.messageResponse)
        expectEvents(events.map(\.type), Self.fiveEvents)
        _ = await TestConnections.close(connection)
    }

    @Test("Streaming stays stable over several consecutive streams on one connection", .realIO)
    func streamingStability() async throws {
        let target = try await LabFixture.shared.target(.front)
        let stream = try #require(TestContract.stream, "the \(TestContract.profile.name) profile has no streaming step")
        let token = try await target.token(for: TestUsers.agentUser)
        let connection = await TestConnections.connect(target.clientConfiguration(token: token))
        var counts: [Int] = []
        for round in 0..<3 {
            await TestContract.send(connection, stream, token: token)
            let (events, outcome) = await TestConnections.receiveEvents(
                connection, until: [stream.expect.endingEvent ?? ""], timeout: PlanTimeouts.messageResponse)
            #expect(outcome == .reached, "round \(round)")
            counts.append(events.filter { $0.type == stream.expect.chunks }.count)
        }
        // Every round streams, and the same request streams the same number of chunks each time: none lost.
        #expect(counts.allSatisfy { $0 > 0 } && Set(counts).count == 1, "chunks per round: \(counts)")
        #expect(await connection.isOpen)
        _ = await TestConnections.close(connection)
    }

    @Test("Critical events are delivered 100% of the time over repeated runs", .realIO)
    func criticalEventDeliveryOverRepeatedRuns() async throws {
        let target = try await LabFixture.shared.target(.front)
        let run = try #require(TestContract.agentRun, "the \(TestContract.profile.name) profile has no agent run")
        let token = try await target.token(for: TestUsers.agentUser)
        let connection = await TestConnections.connect(target.clientConfiguration(token: token))
        var complete = 0
        let runs = 5
        for _ in 0..<runs {
            await TestContract.send(connection, run, token: token)
            let (events, _) = await TestConnections.receiveEvents(
                connection, until: [run.expect.endingEvent ?? ""], timeout: PlanTimeouts.messageResponse)
            let types = events.map(\.type)
            if Self.fiveEvents.allSatisfy(types.contains) { complete += 1 }
        }
        #expect(complete == runs, "\(complete)/\(runs) runs delivered all five events")
        _ = await TestConnections.close(connection)
    }
}
