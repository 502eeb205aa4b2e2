import Testing
import WebSocketDiagnosis
import WebSocketProbe
import WebSocketTestFramework

/// Phase 3: the plan's P1 critical tests, through the front (the lab's cloud-run emulation, or staging), in the
/// words of the run's application profile (`WS1011_PROFILE`, default `lab`: ``TestContract``).
@Suite("Phase3 P1CriticalTests", .tags(.phase3, .e2e, .p1Critical))
struct Phase3P1CriticalTests {

    @Test("test_001_websocket_connection_real: connection, welcome and ping within the plan's bounds", .realIO)
    func test_001_websocket_connection_real() async throws {
        let target = try await LabFixture.shared.target(.front)
        var timeouts = ClientConfiguration.Timeouts()
        timeouts.connect = PlanTimeouts.connection
        timeouts.upgrade = PlanTimeouts.connection
        let start = ContinuousClock.now
        let connection = await TestConnections.connect(
            target.clientConfiguration(token: try await target.token(for: TestUsers.agentUser), timeouts: timeouts))
        #expect(await connection.isOpen, "the connection must open through \(target.name)")
        #expect(ContinuousClock.now - start < PlanTimeouts.connection)
        if !TestContract.welcomeTypes.isEmpty {
            let (events, _) = await TestConnections.receiveEvents(
                connection, until: TestContract.welcomeTypes, timeout: PlanTimeouts.messageResponse)
            #expect(
                events.contains(where: TestContract.isWelcome),
                "expected the \(TestContract.profile.name) welcome, got \(events.map(\.type))")
        }
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
        if let expected = TestContract.expectedSubprotocol(token: token) {
            #expect(
                await accepted.negotiatedSubprotocol == expected,
                "the \(TestContract.profile.name) profile expects the server to select its entry")
        }
        _ = await TestConnections.close(accepted)
    }

    @Test("test_023_streaming_partial_results_real: streamed partial results arrive in order", .realIO)
    func test_023_streaming_partial_results_real() async throws {
        let target = try await LabFixture.shared.target(.front)
        let stream = try #require(TestContract.stream, "the \(TestContract.profile.name) profile has no streaming step (expect.chunks)")
        let chunk = stream.expect.chunks ?? "", complete = stream.expect.endingEvent ?? ""
        let token = try await target.token(for: TestUsers.agentUser)
        let connection = await TestConnections.connect(target.clientConfiguration(token: token))
        await TestContract.send(connection, stream, token: token)
        let (events, outcome) = await TestConnections.receiveEvents(connection, until: [complete], timeout: PlanTimeouts.messageResponse)
        #expect(outcome == .reached, "\(complete) must arrive within \(PlanTimeouts.messageResponse)")
        let chunks = events.filter { $0.type == chunk }
        #expect(!chunks.isEmpty, "at least one \(chunk) before \(complete)")
        // In order, none missing: the chunks' own index (or seq), when they carry one, counts 0, 1, 2, …
        let indices = chunks.compactMap { ($0.field("index") ?? $0.field("seq")).flatMap { Int($0) } }
        if !indices.isEmpty { #expect(indices == Array(0..<chunks.count), "partial results in order, none missing: \(indices)") }
        _ = await TestConnections.close(connection)
    }

    @Test("test_025_critical_event_delivery_real: all five critical events are delivered", .realIO)
    func test_025_critical_event_delivery_real() async throws {
        let target = try await LabFixture.shared.target(.front)
        let run = try #require(
            TestContract.agentRun, "the \(TestContract.profile.name) profile has no agent run (a conversation step on agent-events)")
        let token = try await target.token(for: TestUsers.agentUser)
        let connection = await TestConnections.connect(target.clientConfiguration(token: token))
        await TestContract.send(connection, run, token: token)
        let (events, outcome) = await TestConnections.receiveEvents(
            connection, until: [run.expect.endingEvent ?? ""], timeout: PlanTimeouts.messageResponse)
        #expect(outcome == .reached)
        #expect(!TestContract.criticalEvents.isEmpty, "the profile names its critical events")
        expectEvents(events.map(\.type), TestContract.criticalEvents)
        _ = await TestConnections.close(connection)
    }
}
