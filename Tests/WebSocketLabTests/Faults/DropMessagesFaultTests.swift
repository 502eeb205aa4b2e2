import Testing
import WebSocketProbe

@testable import WebSocketLab

@Suite("drop-messages fault")
struct DropMessagesFaultTests {
    @Test func messagesVanishButControlFramesPass() async throws {
        let h = try await ProxyHarness.start(faults: ["drop-messages:direction=downstream"])
        let client = try await h.connect()
        await client.send(text: "lost")
        #expect(await client.receive(timeout: .milliseconds(400)) == .timeout)
        #expect(await client.ping(timeout: .seconds(1)) != nil)
        await client.close()
        await h.stop()
    }
}
