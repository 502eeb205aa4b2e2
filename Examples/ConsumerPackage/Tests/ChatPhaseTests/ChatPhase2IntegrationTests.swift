import EchoChat
import Testing
import WebSocketDiagnosis
import WebSocketProbe
import WebSocketTestFramework

/// Phase 2: EchoChat's own contract, against the real server.
@Suite("Phase2 EchoChat contract", .tags(.phase2, .application))
struct ChatPhase2IntegrationTests {
    @Test("say is answered with said", .realIO)
    func sayIsAnswered() async throws {
        try await Chat.withServer { app in
            let connection = await TestConnections.connect(try Chat.configuration("ws://127.0.0.1:\(app.port)/chat"))
            #expect(await connection.isOpen)
            await TestConnections.send(connection, type: "say", payload: ["text": "hello"])
            let (events, outcome) = await TestConnections.receiveEvents(connection, until: ["said"], timeout: .seconds(5))
            #expect(outcome == .reached)
            #expect(events.last?.field("text") == "hello" || events.last?.text.contains("hello") == true)
            _ = await TestConnections.close(connection)
        }
    }

    @Test("Without the token the upgrade is refused before any frame", .realIO)
    func noTokenIsRefused() async throws {
        try await Chat.withServer { app in
            var configuration = try Chat.configuration("ws://127.0.0.1:\(app.port)/chat")
            configuration.headers = []
            let connection = await TestConnections.connect(configuration)
            let transcript = await TestConnections.transcript(of: connection)
            #expect(!(await connection.isOpen))
            #expect(transcript.handshake?.status == 403)
        }
    }

    @Test("The crash message makes EchoChat close 1011: the verdict names the application", .realIO)
    func crashIsAnApplicationInternalError() async throws {
        try await Chat.withServer { app in
            let connection = await TestConnections.connect(try Chat.configuration("ws://127.0.0.1:\(app.port)/chat"))
            await TestConnections.send(connection, type: "crash")
            _ = await TestConnections.receiveEvents(connection, until: [], timeout: .seconds(5))
            let transcript = await TestConnections.transcript(of: connection)
            expectClose(transcript, code: 1011, reasonContains: "Internal error", closeFrameReceived: true)
            let sent = transcript.frames.filter { $0.direction == .outbound && $0.opcode == "text" }.map(\.atMs)
            let verdict = FailureClassifier.classify(
                ClassificationInput(transcript: transcript, expectations: ProbeExpectations(profile: "echo", messagesSentAtMs: sent)))
            expectVerdict(verdict, layer: .application, cause: "application.internal-error-close")
        }
    }
}
