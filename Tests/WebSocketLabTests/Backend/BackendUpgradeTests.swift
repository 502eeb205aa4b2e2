import Foundation
import Testing
import WebSocketAuth
import WebSocketDiagnosis
import WebSocketLab
import WebSocketProbe

@Suite("Backend upgrade: token channels and refusals")
struct BackendUpgradeTests {
    @Test(arguments: [TokenChannel.subprotocol, .base64Subprotocol, .header, .query])
    func validTokenOnEveryChannelOpensAndIsWelcomed(channel: TokenChannel) async throws {
        try await withLab(try testConfiguration()) { lab in
            let (connection, welcome) = try await connectUser(lab, via: channel)
            #expect(await connection.isOpen)
            #expect(welcome?.type == "connection_established")
            #expect(welcome?.payloadString("user_id") == "websocket-test-1")
            #expect(welcome?.payloadString("connection_id")?.hasPrefix("conn_") == true)
            if channel == .subprotocol || channel == .base64Subprotocol {
                #expect(await connection.negotiatedSubprotocol == "jwt-auth")
            }
            await connection.close()
        }
    }

    @Test func missingTokenIsRefusedWith403AndAJSONBodyBeforeTheUpgrade() async throws {
        try await withLab(try testConfiguration()) { lab in
            let raw = try await RawHTTP.upgrade(port: lab.port)
            #expect(raw.status == 403)
            #expect(raw.json?["error"]?.stringValue == "missing-token")
            let connection = await WebSocketConnection.connect(try clientConfiguration(lab, token: nil, via: .none))
            #expect(await !connection.isOpen)
            let transcript = await connection.transcript()
            #expect(transcript.handshake?.status == 403)
            #expect(transcript.failure?.kind == "upgrade-rejected")
            #expect(lab.openConnectionCount == 0)
        }
    }

    @Test func expiredTokenIsRefusedWith403Expired() async throws {
        try await withLab(try testConfiguration()) { lab in
            let token = try await lab.mintToken(email: TestUser.enterprise.email, expiresIn: .seconds(-5))
            let raw = try await RawHTTP.upgrade(port: lab.port, headers: [("Authorization", "Bearer \(token)")])
            #expect(raw.status == 403)
            #expect(raw.json?["error"]?.stringValue == "expired")
        }
    }

    @Test func tokenFromAnotherSecretIsRefusedWith403InvalidSignature() async throws {
        try await withLab(try testConfiguration()) { lab in
            let token = try TokenMinter.mint(secret: "some-other-secret-of-at-least-32-bytes!", user: TestUser.enterprise.email)
            let connection = await WebSocketConnection.connect(try clientConfiguration(lab, token: token))
            let transcript = await connection.transcript()
            #expect(transcript.handshake?.status == 403)
            #expect(transcript.handshake?.bodyPreview?.contains("invalid-signature") == true)
        }
    }

    @Test func tokenForAnotherAudienceIsRefusedWith403WrongAudience() async throws {
        try await withLab(try testConfiguration()) { lab in
            let token = try TokenMinter.mint(
                secret: LabConfiguration.defaultSecret, user: TestUser.enterprise.email,
                audience: "some-other-api")
            let raw = try await RawHTTP.upgrade(port: lab.port, headers: [("Sec-WebSocket-Protocol", "jwt-auth, jwt.\(token)")])
            #expect(raw.status == 403)
            #expect(raw.json?["error"]?.stringValue == "wrong-audience")
        }
    }

    @Test func plainGETOnTheSocketPathGets426AndHealthIsHealthy() async throws {
        try await withLab(try testConfiguration()) { lab in
            #expect(try await RawHTTP.request(port: lab.port, path: "/ws").status == 426)
            let health = try await RawHTTP.request(port: lab.port, path: "/health")
            #expect(health.status == 200)
            #expect(health.json?["status"]?.stringValue == "healthy")
            #expect(try await RawHTTP.request(port: lab.port, path: "/nope").status == 404)
        }
    }

    @Test func oversizedRequestHeadIsRefused() async throws {
        try await withLab(try testConfiguration()) { lab in
            let raw = try await RawHTTP.upgrade(port: lab.port, headers: [("X-Padding", String(repeating: "p", count: 40_000))])
            #expect(raw.status == 400 || raw.status == 431)
        }
    }

    @Test func refreshOnALiveConnectionRevivesAnExpiredToken() async throws {
        try await withLab(try testConfiguration()) { lab in
            // The connection opens with a normal token and trades it for one that expires in 3 s: the short
            // lifetime then runs on an open connection, whatever a busy machine makes of the handshake.
            let connection = await WebSocketConnection.connect(
                try clientConfiguration(lab, token: try await lab.mintToken(email: TestUser.enterprise.email)))
            #expect(await receiveJSON(connection)?.type == "connection_established")
            let lifetime: Duration = .seconds(3)
            let minted = ContinuousClock.now
            let short = try await lab.mintToken(email: TestUser.enterprise.email, expiresIn: lifetime)
            await sendMessage(connection, "refresh_token", ["token": .string(short)])
            #expect(await receiveJSON(connection)?.type == "token_refreshed")
            try await Task.sleep(until: minted + lifetime)
            // exp is whole seconds: retry (bounded) until the wall clock passed it.
            var expired = false
            let deadline = ContinuousClock.now + .seconds(6)
            while !expired, ContinuousClock.now < deadline {
                await sendMessage(connection, "user_message", ["content": "hi"])
                let reply = await receiveJSON(connection)
                expired = reply?["code"]?.stringValue == "token_expired"
                if !expired { _ = await receiveUntil(connection, ["agent_completed"]); try await Task.sleep(for: .milliseconds(200)) }
            }
            #expect(expired)
            let fresh = try await lab.mintToken(email: TestUser.enterprise.email)
            await sendMessage(connection, "refresh_token", ["token": .string(fresh)])
            let refreshed = await receiveJSON(connection)
            #expect(refreshed?.type == "token_refreshed")
            #expect(refreshed?.payloadString("user_id") == "websocket-test-1")
            await sendMessage(connection, "user_message", ["content": "again"])
            let run = await receiveUntil(connection, ["agent_completed", "error_message"])
            #expect(run.messages.last?.type == "agent_completed")
            #expect(await connection.isOpen)
            await connection.close()
        }
    }

    @Test func refreshWithABadTokenIsAnErrorMessageNotAClose() async throws {
        try await withLab(try testConfiguration()) { lab in
            let (connection, _) = try await connectUser(lab)
            await sendMessage(connection, "refresh_token", ["token": "garbage"])
            let reply = await receiveJSON(connection)
            #expect(reply?.type == "error_message")
            #expect(reply?["code"]?.stringValue == "token_refresh_failed")
            #expect(await connection.isOpen)
            await connection.close()
        }
    }
}
