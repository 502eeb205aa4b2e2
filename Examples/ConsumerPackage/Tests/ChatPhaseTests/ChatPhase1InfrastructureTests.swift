import EchoChat
import Testing
import WebSocketDiagnosis
import WebSocketLab
import WebSocketProbe
import WebSocketTestFramework

/// Phase 1: EchoChat behind a front (ws1011's fault proxy standing in for our load balancer).
@Suite("Phase1 EchoChat behind a front", .tags(.phase1, .infrastructure))
struct ChatPhase1InfrastructureTests {
    @Test("A front that answers 502 while EchoChat is healthy direct is named infrastructure", .realIO)
    func frontRejectingTheUpgradeIsInfrastructure() async throws {
        try await Chat.withServer { app in
            let front = try await FaultProxy.start(
                ProxyConfiguration(
                    upstreams: [ProxyUpstream(host: "127.0.0.1", port: app.port)],
                    faults: [FaultSpec(name: "reject-upgrade", parameters: ["status": "502"])]))
            var plan = ProbePlan(target: try WebSocketURL(parsing: front.url(path: "/chat")))
            plan.direct = try WebSocketURL(parsing: "ws://127.0.0.1:\(app.port)/chat")
            plan.profile = .echo
            plan.headers = [HeaderField("Authorization", "Bearer \(Chat.token)")]
            plan.timeouts = try Chat.configuration("ws://127.0.0.1:1/").timeouts
            let report = try await ProbeRunner(plan: plan).run()
            await front.shutdown()
            WireByteCounter.register(report)
            #expect(report.transcript.handshake?.status == 502)
            #expect(report.directSteps?.allSatisfy { $0.status != .failed } == true, "EchoChat is healthy direct")
            expectVerdict(report.verdict, layer: .infrastructure, cause: "infrastructure.upgrade-rejected")
        }
    }
}
