import Testing
import WebSocketTestFramework

/// Phase 1: load-balancer and serverless-front behaviours — lifetime cap vs idle timeout, header stripping,
/// 429, drain on scale-in.
@Suite("Phase1 GCPLoadBalancerWebSocketTests", .tags(.phase1, .infrastructure))
struct Phase1GCPLoadBalancerWebSocketTests {
    @Test("A lifetime cap ends a connection N seconds after connect even with pings flowing", .realIO)
    func lifetimeCapIgnoresTraffic() async {
        await ScenarioHarness.expectReproduces("gcp-lb-lifetime-cap")
    }

    @Test("An idle timeout ends only a silent connection: pings keep it alive", .realIO)
    func idleTimeoutGoesAwayWithPings() async throws {
        let result = try #require(await ScenarioHarness.expectReproduces("nginx-idle-timeout"))
        #expect(
            result.observed?.verdict.cause.rawValue != "infrastructure.lifetime-cap", "pings must tell an idle timeout from a lifetime cap")
    }

    @Test(
        "A front that strips a credential header is caught by comparing auth channels and direct", .realIO,
        arguments: ["lb-strips-authorization", "lb-strips-subprotocol"])
    func headerStripping(scenario: String) async {
        await ScenarioHarness.expectReproduces(scenario)
    }

    @Test("A front out of capacity answers 429 at the upgrade", .realIO)
    func capacityGives429() async {
        await ScenarioHarness.expectReproduces("cloud-run-capacity-429")
    }

    @Test("Scale-in drains an instance: its connections end without a close frame", .realIO)
    func drainOnScaleIn() async {
        await ScenarioHarness.expectReproduces("cloud-run-scale-in-kill")
    }
}
