import Foundation
import NIOPosix
import Testing
import WebSocketDiagnosis
import WebSocketLab
import WebSocketProbe

@Suite("Application faults: each produces its documented signature")
struct AppFaultTests {
    // MARK: - Specs

    @Test func unknownFaultNameListsTheValidOnes() throws {
        #expect { try FaultRegistry.standard.makeApplicationFault(try FaultSpec(parsing: "explode")) } throws: { error in
            let text = "\(error)"
            return text.contains("unknown application fault 'explode'") && text.contains("internal-error")
                && text.contains("keepalive")
        }
    }

    @Test func unknownParameterListsTheValidOnes() throws {
        #expect { try FaultRegistry.standard.makeApplicationFault(try FaultSpec(parsing: "keepalive:intervall=1s")) } throws: { error in
            "\(error)".contains("intervall") && "\(error)".contains("interval, timeout")
        }
        #expect { try FaultRegistry.standard.makeApplicationFault(try FaultSpec(parsing: "not-ready:mode=maybe")) } throws: { error in
            "\(error)".contains("close or http")
        }
    }

    @Test func everyRegisteredFaultBuildsWithDefaults() throws {
        for name in FaultRegistry.standard.applicationFaultNames {
            _ = try FaultRegistry.standard.makeApplicationFault(FaultSpec(name: name))
        }
        #expect(FaultRegistry.standard.applicationFaultNames.count == 11)
    }

    @Test func badFaultAtStartFailsTheStartAndAtRunTimeKeepsTheOldFaults() async throws {
        await #expect(throws: FaultSpecError.self) { _ = try await LabServer.start(try testConfiguration(["nope"])) }
        try await withLab(try testConfiguration(["internal-error"])) { lab in
            #expect(throws: FaultSpecError.self) { try lab.setAppFaults([FaultSpec(name: "nope")]) }
            let (connection, _) = try await connectUser(lab)
            await sendMessage(connection, "ping")
            let end = await connection.waitForEnd(timeout: .seconds(2))
            #expect(end?.received?.code == 1011)
        }
    }

    // MARK: - Signatures

    @Test func internalErrorClosesWith1011InternalErrorRightAfterTheTrigger() async throws {
        try await withLab(try testConfiguration(["internal-error:on=user_message"])) { lab in
            let (connection, _) = try await connectUser(lab)
            await sendMessage(connection, "ping")
            #expect(await receiveJSON(connection)?.type == "pong")
            await sendMessage(connection, "user_message", ["content": "boom"])
            let end = await connection.waitForEnd(timeout: .seconds(2))
            #expect(end?.received?.code == 1011)
            #expect(end?.received?.reason == "Internal error")
            #expect(end?.effectiveCode == 1011)
        }
    }

    @Test func internalErrorEveryThirdMessageSparesTheFirstTwo() async throws {
        try await withLab(try testConfiguration(["internal-error:every=3"])) { lab in
            let (connection, _) = try await connectUser(lab)
            await sendMessage(connection, "ping")
            #expect(await receiveJSON(connection)?.type == "pong")
            await sendMessage(connection, "ping")
            #expect(await receiveJSON(connection)?.type == "pong")
            await sendMessage(connection, "ping")
            #expect(await connection.waitForEnd(timeout: .seconds(2))?.received?.code == 1011)
        }
    }

    @Test func dropOnErrorEndsTheSocketWithoutACloseFrame() async throws {
        try await withLab(try testConfiguration(["drop-on-error:on=user_message"])) { lab in
            let (connection, _) = try await connectUser(lab)
            await sendMessage(connection, "user_message", ["content": "boom"])
            let end = try #require(await connection.waitForEnd(timeout: .seconds(2)))
            #expect(end.received == nil)
            #expect(end.effectiveCode == 1006)
            #expect(end.transportEnd == .eof || end.transportEnd == .reset)
        }
    }

    @Test func notReadyClosesWith1011ServiceNotReadyDuringTheWindowOnly() async throws {
        try await withLab(try testConfiguration()) { lab in
            // Inside the window: a 30 s window, so no stall of a loaded test process can carry the check past it.
            try lab.setAppFaults([try FaultSpec(parsing: "not-ready:for=30s")])
            let health = try await RawHTTP.request(port: lab.port, path: "/health")
            #expect(health.status == 503)
            #expect(health.json?["status"]?.stringValue == "not-ready")
            let (early, welcome) = try await connectUser(lab)
            #expect(welcome == nil)
            let end = await early.waitForEnd(timeout: .seconds(2))
            #expect(end?.received?.code == 1011)
            #expect(end?.received?.reason == "Service not ready")
            // After the window: a 300 ms window, switched on now; waiting only ever lands later, never inside.
            let before = ContinuousClock.now
            try lab.setAppFaults([try FaultSpec(parsing: "not-ready:for=300ms")])
            try await Task.sleep(until: before + .milliseconds(500))
            let (later, laterWelcome) = try await connectUser(lab)
            #expect(laterWelcome?.type == "connection_established")
            #expect(try await RawHTTP.request(port: lab.port, path: "/health").status == 200)
            await later.close()
        }
    }

    @Test func notReadyInHTTPModeRefusesTheUpgradeWith503() async throws {
        try await withLab(try testConfiguration(["not-ready:for=5s,mode=http"])) { lab in
            let (connection, _) = try await connectUser(lab)
            let t = await connection.transcript()
            #expect(
                t.handshake?.status == 503,
                "\(t.failure.map { "\($0.stage.rawValue) \($0.kind): \($0.detail)" } ?? "no failure"); open \(t.timings.openAtMs.map { "\($0)" } ?? "never")"
            )
        }
    }

    @Test func secretMismatchRefusesEveryAuthServiceToken() async throws {
        try await withLab(try testConfiguration(["secret-mismatch"])) { lab in
            let issued = try await RawHTTP.request(
                port: lab.port, method: "POST", path: "/auth/token",
                body: #"{"email": "websocket-test-1@netra-testing.example.com"}"#)
            let token = try #require(issued.json?["access_token"]?.stringValue)
            let connection = await WebSocketConnection.connect(try clientConfiguration(lab, token: token, via: .header))
            let transcript = await connection.transcript()
            #expect(transcript.handshake?.status == 403)
            #expect(transcript.handshake?.bodyPreview?.contains("invalid-signature") == true)
            // The auth service itself still vouches for the token: only the backend disagrees.
            let validated = try await RawHTTP.request(
                port: lab.port, method: "POST", path: "/auth/validate",
                body: LabJSON.object(["token": .string(token)]).text)
            #expect(validated.status == 200)
        }
    }

    @Test(arguments: ["close", "drop"])
    func crashMidStreamEndsTheRunAfterNEvents(mode: String) async throws {
        try await withLab(try testConfiguration(["crash-mid-stream:after=2,mode=\(mode)"])) { lab in
            let (connection, _) = try await connectUser(lab)
            await sendMessage(connection, "user_message", ["content": "x"])
            let (events, end) = await receiveUntil(connection, ["agent_completed"])
            #expect(events.compactMap(\.type) == ["agent_started", "agent_thinking"])
            let close = try #require(end)
            if mode == "close" {
                #expect(close.received?.code == 1011)
                #expect(close.received?.reason == "Internal error")
            } else {
                #expect(close.received == nil)
                #expect(close.effectiveCode == 1006)
            }
        }
    }

    @Test func keepaliveClosesWith1011WhenPongsStopButNotWhileTheyFlow() async throws {
        // A pong timeout (1 s) far above a loopback round trip even on a loaded machine: the answering client
        // must never miss it; the silent one is closed within interval + timeout.
        try await withLab(try testConfiguration(["keepalive:interval=300ms,timeout=1s"])) { lab in
            let (answering, _) = try await connectUser(lab)
            let (silent, _) = try await connectUser(lab, answerPings: false)
            let end = await silent.waitForEnd(timeout: .seconds(4))
            #expect(end?.received?.code == 1011)
            #expect(end?.received?.reason == "keepalive ping timeout")
            #expect(await answering.waitForEnd(timeout: .milliseconds(300)) == nil)
            let frames = await answering.transcript().frames
            #expect(frames.contains { $0.direction == .inbound && $0.opcode == "ping" })
            #expect(await answering.isOpen)
            await answering.close()
        }
    }

    @Test func noSubprotocolEchoAcceptsWithoutSecWebSocketProtocol() async throws {
        try await withLab(try testConfiguration(["no-subprotocol-echo"])) { lab in
            let token = try await lab.mintToken(email: TestUser.enterprise.email)
            let raw = try await RawHTTP.upgrade(port: lab.port, headers: [("Sec-WebSocket-Protocol", "jwt-auth, jwt.\(token)")])
            #expect(raw.status == 101)
            #expect(raw.header("sec-websocket-protocol") == nil)
            let connection = await WebSocketConnection.connect(try clientConfiguration(lab, token: token))
            let transcript = await connection.transcript()
            #expect(transcript.handshake?.status == 101)
            #expect(transcript.handshake?.subprotocol == nil)
            #expect(await connection.negotiatedSubprotocol == nil)
            await connection.abort()
        }
    }

    @Test func slowHandlerReallyBlocksTheEventLoopForOtherConnections() async throws {
        let group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        try await withLab(try testConfiguration(["slow-handler:block=700ms,on=user_message"]), eventLoopGroup: group) { lab in
            let (victim, _) = try await connectUser(lab)
            let (blocker, _) = try await connectUser(lab)
            await sendMessage(blocker, "user_message", ["content": "slow"])
            try await Task.sleep(for: .milliseconds(100))
            let started = ContinuousClock.now
            await sendMessage(victim, "ping")
            #expect(await receiveJSON(victim)?.type == "pong")
            let waited = ContinuousClock.now - started
            #expect(waited >= .milliseconds(400), "pong took \(waited): the loop was not blocked")
            #expect(await blocker.isOpen)
            await victim.close()
            await blocker.close()
        }
        try await group.shutdownGracefully()
    }

    @Test func restartSends1012ToEveryConnectionAnd503ToNewUpgrades() async throws {
        // A 2 s downtime, wide enough that the refused upgrade lands inside it on a loaded machine; the token and
        // client set-up are made before the restart.
        var configuration = try testConfiguration()
        let downtime: Duration = .seconds(2)
        configuration.restartDowntime = downtime
        try await withLab(configuration) { lab in
            let (a, _) = try await connectUser(lab)
            let (b, _) = try await connectUser(lab, email: TestUser.early.email)
            #expect(lab.openConnectionCount == 2)
            let token = try await lab.mintToken(email: TestUser.enterprise.email)
            let again = try clientConfiguration(lab, token: token)
            let restarted = ContinuousClock.now
            await lab.restart()
            let refused = await WebSocketConnection.connect(again)
            let inside = ContinuousClock.now - restarted < downtime
            #expect(inside, "the new upgrade must be tried inside the downtime")
            if inside { #expect(await refused.transcript().handshake?.status == 503) }
            for connection in [a, b] {
                let end = await connection.waitForEnd(timeout: .seconds(2))
                #expect(end?.received?.code == 1012)
            }
            try await Task.sleep(until: restarted + downtime + .milliseconds(300))
            let (back, welcome) = try await connectUser(lab)
            #expect(welcome?.type == "connection_established")
            await back.close()
        }
    }

    @Test func restartFaultSwitchedOnAtRunTimeRestartsNow() async throws {
        try await withLab(try testConfiguration()) { lab in
            let (connection, _) = try await connectUser(lab)
            try lab.setAppFaults([FaultSpec(parsing: "restart:downtime=300ms")])
            let end = await connection.waitForEnd(timeout: .seconds(2))
            #expect(end?.received?.code == 1012)
            #expect(end?.received?.reason == "Service restart")
        }
    }

    @Test func messageTooBigClosesWith1009AboveTheLimit() async throws {
        try await withLab(try testConfiguration(["message-too-big:limit=256"])) { lab in
            let (connection, _) = try await connectUser(lab)
            await sendMessage(connection, "ping", ["pad": .string(String(repeating: "x", count: 100))])
            #expect(await receiveJSON(connection)?.type == "pong")
            await sendMessage(connection, "ping", ["pad": .string(String(repeating: "x", count: 400))])
            let end = await connection.waitForEnd(timeout: .seconds(2))
            #expect(end?.received?.code == 1009)
        }
    }

    @Test func rejectUpgradeAnswers500InternalServerErrorLikeUvicorn() async throws {
        try await withLab(try testConfiguration(["reject-upgrade"])) { lab in
            let token = try await lab.mintToken(email: TestUser.enterprise.email)
            let raw = try await RawHTTP.upgrade(port: lab.port, headers: [("Authorization", "Bearer \(token)")])
            #expect(raw.status == 500)
            #expect(raw.body == "Internal Server Error")
            #expect(raw.body.utf8.count == 21)
            let connection = await WebSocketConnection.connect(try clientConfiguration(lab, token: token))
            #expect(await connection.transcript().handshake?.status == 500)
        }
    }

    @Test(arguments: [429, 503, 403])
    func rejectUpgradeCanRefuseWithOtherStatuses(status: Int) async throws {
        try await withLab(try testConfiguration(["reject-upgrade:status=\(status)"])) { lab in
            let raw = try await RawHTTP.upgrade(port: lab.port)
            #expect(raw.status == status)
        }
    }

    @Test func faultsSwitchOffAtRunTime() async throws {
        try await withLab(try testConfiguration(["reject-upgrade"])) { lab in
            #expect(try await RawHTTP.upgrade(port: lab.port).status == 500)
            try lab.setAppFaults([])
            let (connection, welcome) = try await connectUser(lab)
            #expect(welcome?.type == "connection_established")
            await connection.close()
        }
    }
}
