import Testing
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
}
