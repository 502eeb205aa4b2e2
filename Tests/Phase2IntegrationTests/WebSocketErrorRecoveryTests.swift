import Testing
import WebSocketDiagnosis
import WebSocketLab
import WebSocketProbe
import WebSocketTestFramework

/// Phase 2: reconnecting after each kind of close, with backoff. Each case runs its own lab (faults must not
/// leak into the shared one).
@Suite("Phase2 WebSocketErrorRecoveryTests", .tags(.phase2, .application))
struct Phase2WebSocketErrorRecoveryTests {
    struct Case: Sendable, CustomTestStringConvertible {
        var fault: String
        var expectedCode: Int
        var testDescription: String { "\(fault) → \(expectedCode)" }
    }

    @Test(
        "After each kind of close a reconnect (with the plan's backoff between attempts) gets a working session", .realIO,
        arguments: [
            Case(fault: "internal-error:on=start_agent", expectedCode: 1011),
            Case(fault: "drop-on-error:on=start_agent", expectedCode: 1006),
            Case(fault: "crash-mid-stream:after=2", expectedCode: 1011),
            Case(fault: "restart:downtime=600ms", expectedCode: 1012),
        ])
    func reconnectsAfterClose(_ c: Case) async throws {
        var configuration = LabConfiguration()
        configuration.heartbeat = nil
        let lab = try await LabServer.start(configuration)
        defer { Task { await lab.shutdown() } }
        let url = try WebSocketURL(parsing: lab.websocketURL)
        let target = TestTarget(
            name: "lab (own)", websocketURL: url, httpBaseURL: lab.httpBaseURL, authBaseURL: lab.authBaseURL, tls: .init(),
            credentials: .lab(lab), isLab: true)
        let token = try await target.token(for: TestUsers.agentUser)

        let first = await TestConnections.connect(target.clientConfiguration(token: token))
        #expect(await first.isOpen)
        try lab.setAppFaults([try FaultSpec(parsing: c.fault)])
        if !c.fault.hasPrefix("restart") { await TestConnections.send(first, type: "start_agent", payload: ["message": "boom"]) }
        let end = await first.waitForEnd(timeout: .seconds(5))
        let t = await TestConnections.transcript(of: first)
        #expect(
            end?.effectiveCode == c.expectedCode,
            "expected \(c.expectedCode), observed \(end?.effectiveCode.map(String.init) ?? "still open")")
        #expect(t.close.transportEnd != .stillOpen)
        try lab.setAppFaults([])

        var delay: Duration = .milliseconds(100)
        var attempts = 0
        var reconnected: WebSocketConnection?
        while attempts < 6 {
            attempts += 1
            let next = await TestConnections.connect(target.clientConfiguration(token: token))
            if await next.isOpen { reconnected = next; break }
            try await Task.sleep(for: delay)
            delay *= 2
        }
        let session = try #require(reconnected, "no reconnection within \(attempts) attempts")
        await TestConnections.send(session, type: "ping")
        let (events, _) = await TestConnections.receiveEvents(session, until: ["pong"], timeout: PlanTimeouts.messageResponse)
        #expect(events.last?.type == "pong", "the new session must work; got \(events.map(\.type))")
        _ = await TestConnections.close(session)
    }
}
