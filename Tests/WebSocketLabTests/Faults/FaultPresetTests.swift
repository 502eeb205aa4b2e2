import Testing
import WebSocketDiagnosis
import WebSocketProbe

@testable import WebSocketLab

@Suite("fault presets through the proxy")
struct FaultPresetTests {
    @Test func cloudRunTimeoutCapsTheConnectionLifetime() async throws {
        // 3 s: an upgrade slowed by a busy machine still opens well inside the cap (at 1.5 s it did not always).
        let h = try await ProxyHarness.start(faults: ["cloud-run:timeout=3s"])
        // The cap counts from the TCP accept: between the start of the connect and the open.
        let client = try await h.connect()
        let end = await client.waitForEnd(timeout: .seconds(6))
        #expect(try #require(end).received == nil)
        let timing = try #require(await endTiming(client), "the connection never opened before the cap")
        #expect(timing.sinceStartMs > 2980 && timing.sinceOpenMs < 4200, "ended \(timing)")
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
