import Testing
import WebSocketDiagnosis
import WebSocketProbe
import WebSocketTestFramework

/// Phase 1: the front's WebSocket configuration — upgrade headers, timeouts, the `jwt-auth` subprotocol.
@Suite("Phase1 WebSocketProxyConfigurationTests", .tags(.phase1, .infrastructure))
struct Phase1WebSocketProxyConfigurationTests {
    @Test("A front that forwards Upgrade and Connection opens the WebSocket like the backend does", .realIO)
    func frontForwardingUpgradeHeadersOpensTheConnection() async {
        await ScenarioHarness.expectReproduces("healthy-through-front")
    }

    @Test("A front that drops Upgrade and Connection makes the backend answer plain HTTP, proven against direct", .realIO)
    func droppedUpgradeHeadersAreDiagnosedAsNotForwarded() async {
        await ScenarioHarness.expectReproduces("proxy-upgrade-not-forwarded")
    }

    @Test("The jwt-auth subprotocol is offered with the token and echoed by the server", .realIO)
    func jwtAuthSubprotocolIsNegotiated() async throws {
        let target = try await LabFixture.shared.target(.direct)
        let token = try await target.token(for: TestUsers.agentUser)
        let connection = await TestConnections.connect(target.clientConfiguration(token: token))
        #expect(await connection.isOpen, "the upgrade with jwt-auth + jwt.<token> must succeed")
        #expect(await connection.negotiatedSubprotocol == "jwt-auth")
        let transcript = await TestConnections.close(connection)
        #expect(transcript.request?.offeredSubprotocols.first == "jwt-auth")
        #expect(transcript.handshake?.subprotocol == "jwt-auth")
        let offered = transcript.request?.offeredSubprotocols ?? []
        #expect(offered.count == 2 && offered.last?.hasPrefix("jwt.") == true, "jwt-auth is offered with the jwt.<token> entry: \(offered)")
        let encoded = TestTokens.base64url(token)
        let leaked = offered.contains { $0.contains(token) || $0.contains(encoded) }
        #expect(leaked == false, "the token must be redacted in the transcript")
    }

    @Test(
        "A connection with traffic is sustained for more than 30 seconds", .tags(.slow), .realIO,
        .timeLimit(.minutes(1)))
    func connectionIsSustainedBeyondThirtySeconds() async throws {
        let target = try await LabFixture.shared.target(.direct)
        let token = try await target.token(for: TestUsers.agentUser)
        let connection = await TestConnections.connect(target.clientConfiguration(token: token))
        #expect(await connection.isOpen)
        let hold = PlanTimeouts.sustainedConnection
        let start = ContinuousClock.now
        var pongs = 0
        while ContinuousClock.now - start < hold {
            if await connection.ping(timeout: .seconds(5)) != nil { pongs += 1 }
            if let end = await connection.waitForEnd(timeout: .seconds(3)) {
                Issue.record("the connection ended after \(ContinuousClock.now - start): \(end.effectiveCode.map(String.init) ?? "?")")
                break
            }
        }
        #expect(await connection.isOpen, "still open after \(hold)")
        #expect(pongs >= 5, "pings must keep getting pongs during the hold (\(pongs) pongs)")
        let transcript = await TestConnections.close(connection)
        #expect((transcript.close.atMs ?? 0) - (transcript.timings.openAtMs ?? 0) >= hold.milliseconds - 1)
    }
}
