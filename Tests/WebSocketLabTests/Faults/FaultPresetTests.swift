import Testing
import WebSocketDiagnosis
import WebSocketProbe

@testable import WebSocketLab

@Suite("fault presets through the proxy")
struct FaultPresetTests {
    @Test func cloudRunTimeoutCapsTheConnectionLifetime() async throws {
        let h = try await ProxyHarness.start(faults: ["cloud-run:timeout=1500ms"])
        // The cap counts from the TCP accept: between the start of the connect and the open.
        let client = try await h.connect()
        let end = await client.waitForEnd(timeout: .seconds(3))
        #expect(try #require(end).received == nil)
        let timing = try #require(await endTiming(client))
        #expect(timing.sinceStartMs > 1480 && timing.sinceOpenMs < 2500, "ended \(timing)")
        await h.stop()
    }

    @Test func awsALBIdleTimeoutEndsASilentConnection() async throws {
        let h = try await ProxyHarness.start(faults: ["aws-alb:timeout=400ms"])
        let client = try await h.connect()
        let observed = try #require(await client.waitForEnd(timeout: .seconds(3)))
        #expect(observed.effectiveCode == 1006)
        await h.stop()
    }
}
