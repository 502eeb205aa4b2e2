import Testing
import WebSocketDiagnosis
import WebSocketProbe
import WebSocketTestFramework

/// Phase 1: the network layer — TCP handshake timing, TLS chain validation, the upgrade step by step.
@Suite("Phase1 NetworkLayerDiagnosticsTests", .tags(.phase1, .infrastructure))
struct Phase1NetworkLayerDiagnosticsTests {
    @Test("The TCP handshake to the backend is timed and completes within the plan's connection bound", .realIO)
    func tcpHandshakeIsTimed() async throws {
        let target = try await LabFixture.shared.target(.direct)
        let token = try await target.token(for: TestUsers.agentUser)
        let connection = await TestConnections.connect(target.clientConfiguration(token: token))
        let transcript = await TestConnections.close(connection)
        let tcp = try #require(transcript.timings.tcpMs, "the transcript must time the TCP connect")
        #expect(tcp >= 0 && tcp < PlanTimeouts.connection.milliseconds)
        #expect(transcript.connectedAddress != nil)
        #expect(transcript.wire.bytesOut > 0 && transcript.wire.bytesIn > 0)
    }

    @Test("The HTTP to WebSocket upgrade is checked step by step: request, 101, accept key, first frame", .realIO)
    func upgradeIsCheckedStepByStep() async throws {
        let target = try await LabFixture.shared.target(.direct)
        let token = try await target.token(for: TestUsers.agentUser)
        let connection = await TestConnections.connect(target.clientConfiguration(token: token))
        _ = await connection.receive(timeout: PlanTimeouts.messageResponse)
        let t = await TestConnections.close(connection)
        let request = try #require(t.request)
        #expect(request.method == "GET")
        #expect(request.headers.first(named: "Upgrade")?.lowercased() == "websocket")
        #expect(request.headers.first(named: "Sec-WebSocket-Version") == "13")
        let handshake = try #require(t.handshake)
        #expect(handshake.status == 101)
        #expect(handshake.acceptValid == true, "Sec-WebSocket-Accept must match the key")
        let written = try #require(t.timings.requestWrittenAtMs)
        let head = try #require(t.timings.responseHeadAtMs)
        let open = try #require(t.timings.openAtMs)
        #expect(head <= open, "phases in order: response head → open")
        // Both instants are taken on the connection's event loop: the request when its bytes leave for the
        // socket, the head when its bytes arrive — so the order holds however busy the machine is.
        #expect(written <= head && written <= open, "phases in order: request written → response head → open")
        #expect(t.frames.contains { $0.direction == .inbound && $0.opcode == "text" }, "the welcome frame arrives after the open")
    }

    @Test(
        "TLS chain validation fails with the precise reason for each broken certificate", .realIO,
        arguments: ["tls-expired", "tls-wrong-host", "tls-self-signed", "tls-no-intermediate", "tls-plaintext-port"])
    func tlsChainValidation(scenario: String) async {
        await ScenarioHarness.expectReproduces(scenario)
    }

    @Test("A valid chain from the lab CA verifies and the connection is healthy", .realIO)
    func validChainVerifies() async {
        await ScenarioHarness.expectReproduces("healthy-wss-lab-ca")
    }
}
