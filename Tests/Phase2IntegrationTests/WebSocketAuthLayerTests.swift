import Testing
import WebSocketDiagnosis
import WebSocketLab
import WebSocketProbe
import WebSocketTestFramework

/// Phase 2: the JWT flow against the real auth service and backend.
@Suite("Phase2 WebSocketAuthLayerTests", .tags(.phase2, .application))
struct Phase2WebSocketAuthLayerTests {
    @Test("A token fetched from the auth service over HTTP opens the WebSocket as that user", .realIO)
    func jwtFlowFromAuthServiceToWelcome() async throws {
        let target = try await LabFixture.shared.target(.direct)
        let user = TestUsers.agentUser
        let token = try await TestTokens.fetch(from: target, user: user, timeout: PlanTimeouts.authentication)
        let connection = await TestConnections.connect(target.clientConfiguration(token: token))
        let (events, _) = await TestConnections.receiveEvents(
            connection, until: TestContract.welcomeTypes, timeout: PlanTimeouts.messageResponse)
        let welcome = try #require(
            events.last(where: TestContract.isWelcome), "expected the \(TestContract.profile.name) welcome, got \(events.map(\.type))")
        #expect(welcome.field("user_id") == user.userID)
        #expect(welcome.field("connection_id") != nil)
        _ = await TestConnections.close(connection)
    }

    @Test("Without a token, or with a forged one, the upgrade is refused with 403", .realIO, arguments: ["none", "forged"])
    func missingOrForgedTokenIsRefused(kind: String) async throws {
        let target = try await LabFixture.shared.target(.direct)
        let token: String? = kind == "forged" ? try await TestTokens.forged(for: TestUsers.agentUser) : nil
        let connection = await TestConnections.connect(target.clientConfiguration(token: token))
        let t = await TestConnections.transcript(of: connection)
        #expect(await !connection.isOpen)
        #expect(
            t.handshake?.status == 403, "expected HTTP 403 before the upgrade, got \(t.handshake?.status.map(String.init) ?? "no status")")
    }

    @Test("An expired token is refreshed on the live connection without reconnecting", .realIO)
    func tokenRefreshOnLiveConnection() async throws {
        let target = try await LabFixture.shared.target(.direct)
        let user = TestUsers.agentUser
        let connection = await TestConnections.connect(target.clientConfiguration(token: try await target.token(for: user)))
        #expect(await connection.isOpen)
        let fresh = try await target.token(for: user, expiresIn: .seconds(7200))
        await TestConnections.send(connection, type: "refresh_token", payload: ["token": fresh])
        let (events, outcome) = await TestConnections.receiveEvents(
            connection, until: ["token_refreshed", "token_refresh_failed"], timeout: PlanTimeouts.messageResponse)
        #expect(outcome == .reached)
        #expect(events.last?.type == "token_refreshed", "got \(events.map(\.type))")
        #expect(await connection.isOpen, "refresh must not drop the connection")
        _ = await TestConnections.close(connection)
    }

    @Test("Concurrent users only ever receive their own events", .realIO)
    func concurrentUsersAreIsolated() async throws {
        let target = try await LabFixture.shared.target(.direct)
        let count = 12
        let leaks = try await withThrowingTaskGroup(of: [String].self) { group in
            for i in 0..<count {
                group.addTask {
                    let user = TestUser(
                        email: "isolation-\(i)@netra-testing.example.com", userID: "isolation-\(i)", plan: "enterprise",
                        permissions: [TestUser.websocketAccess, TestUser.agentExecution])
                    let token = try await target.token(for: user)
                    let run = try #require(TestContract.agentRun, "the \(TestContract.profile.name) profile has no agent run")
                    let completed = run.expect.endingEvent ?? ""
                    let connection = await TestConnections.connect(target.clientConfiguration(token: token))
                    await TestContract.send(connection, run, token: token)
                    let (events, _) = await TestConnections.receiveEvents(
                        connection, until: [completed], timeout: PlanTimeouts.messageResponse)
                    _ = await TestConnections.close(connection)
                    let owners = events.compactMap { $0.field("user_id") }
                    if !events.contains(where: { $0.type == completed }) { return ["user \(i) got no \(completed)"] }
                    return owners.filter { $0 != "isolation-\(i)" }.map { "user \(i) received an event of \($0)" }
                }
            }
            var all: [String] = []
            for try await l in group { all += l }
            return all
        }
        #expect(leaks.isEmpty, "\(leaks)")
    }
}
