import Testing
import WebSocketDiagnosis
import WebSocketProbe

@testable import WebSocketLab

@Suite("limit-data fault")
struct LimitDataFaultTests {
    @Test func connectionEndsWithoutCloseFrameOnceTheLimitIsReached() async throws {
        let h = try await ProxyHarness.start(faults: ["limit-data:bytes=100,direction=upstream"])
        let client = try await h.connect()
        await client.send(text: "small")
        #expect(await client.receive(timeout: .seconds(2)) == .text("small"))
        await client.send(text: String(repeating: "x", count: 200))
        let observed = try #require(await client.waitForEnd(timeout: .seconds(2)))
        #expect(observed.received == nil)
        #expect(observed.effectiveCode == 1006)
        await h.stop()
    }
}
