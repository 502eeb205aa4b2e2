import Testing
import WebSocketProbe

@testable import WebSocketLab

@Suite("drop-pings fault")
struct DropPingsFaultTests {
    @Test func pingsNeverReachTheBackend() async throws {
        let h = try await ProxyHarness.start(faults: ["drop-pings:direction=upstream"])
        let client = try await h.connect()
        #expect(await client.ping(timeout: .milliseconds(400)) == nil)
        await client.send(text: "data flows")
        #expect(await client.receive(timeout: .seconds(2)) == .text("data flows"))
        await client.close()
        await h.stop()
    }
}
