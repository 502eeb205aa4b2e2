import Testing
import WebSocketDiagnosis
import WebSocketProbe

@testable import WebSocketLab

@Suite("fault presets through the proxy")
struct FaultPresetTests {
    @Test func cloudRunTimeoutCapsTheConnectionLifetime() async throws {
        let h = try await ProxyHarness.start(faults: ["cloud-run:timeout=600ms"])
        // The cap counts from the TCP accept, so the clock starts before the connect.
        let (end, ms) = try await elapsedMs {
            let client = try await h.connect()
            return await client.waitForEnd(timeout: .seconds(3))
        }
        #expect(try #require(end).received == nil)
        #expect(ms > 450 && ms < 1500)
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
