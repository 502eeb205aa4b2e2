import Testing
import WebSocketDiagnosis
import WebSocketProbe

@testable import WebSocketLab

@Suite("strip-header fault")
struct StripHeaderFaultTests {
    @Test func strippedSubprotocolNeverReachesTheBackend() async throws {
        let h = try await ProxyHarness.start(faults: ["strip-header:name=Sec-WebSocket-Protocol,direction=upstream"])
        let client = try await h.connect { $0.subprotocols = ["jwt-auth"] }
        // The backend saw no offer, so it echoed none: the client must fail the connection.
        #expect(await client.negotiatedSubprotocol == nil)
        #expect(await client.isOpen == false)
        let direct = try await h.connect(direct: true) { $0.subprotocols = ["jwt-auth"] }
        #expect(await direct.negotiatedSubprotocol == "jwt-auth")
        await direct.close()
        await h.stop()
    }

    @Test func strippedResponseHeaderIsMissingAtTheClient() async throws {
        let h = try await ProxyHarness.start(faults: ["strip-header:name=X-Echo-Instance,direction=downstream"])
        let client = try await h.connect()
        #expect(await client.isOpen)
        #expect(await client.transcript().handshake?.headers.first(named: "X-Echo-Instance") == nil)
        await client.close()
        await h.stop()
    }

    // MARK: - Without sockets

    @Test func theNamedHeaderIsRemovedFromRequestAndResponse() throws {
        let stub = try FaultStub("strip-header:name=authorization")
        let (action, head) = stub.request(FaultStub.request(extra: [("Authorization", "Bearer x"), ("X-Other", "kept")]))
        #expect(action == .forward)
        #expect(head.headers.first("Authorization") == nil)
        #expect(head.headers.first("X-Other") == "kept")
        var response = ProxyResponseHead(
            status: 101, reason: "Switching Protocols", headers: HTTPHeaderList([HeaderField("Authorization", "y")]))
        let context = HandshakeContext(isUpgrade: true, openWebSockets: 0, upgradeRequestNumber: 1)
        stub.fault(as: (any HandshakeFault).self)!.response(&response, context: context)
        #expect(response.headers.first("Authorization") == nil)
        #expect { try FaultStub("strip-header:name=a b") } throws: { "\($0)".contains("'name' must be a header name") }
    }
}
