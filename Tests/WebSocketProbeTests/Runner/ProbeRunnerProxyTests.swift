import Foundation
import Testing
import WebSocketDiagnosis
import WebSocketLab

@testable import WebSocketProbe

/// End-to-end: the runner through the fault proxy in front of the lab, with `--direct` to the lab.
@Suite("Probe runner through the fault proxy")
struct ProbeRunnerProxyTests {
    private func withFront(_ faults: [FaultSpec], _ body: (LabServer, FaultProxy, String) async throws -> Void) async throws {
        let lab = try await LabServer.start(LabConfiguration())
        let proxy: FaultProxy
        do {
            proxy = try await FaultProxy.start(
                ProxyConfiguration(upstreams: [ProxyUpstream(host: "127.0.0.1", port: lab.port)], faults: faults))
        } catch {
            await lab.shutdown()
            throw error
        }
        do {
            let token = try await lab.mintToken(email: TestUser.enterprise.email)
            try await body(lab, proxy, token)
        } catch {
            await proxy.shutdown()
            await lab.shutdown()
            throw error
        }
        await proxy.shutdown()
        await lab.shutdown()
    }

    private func plan(front proxy: FaultProxy, direct lab: LabServer, token: String) throws -> ProbePlan {
        var plan = ProbePlan(target: try WebSocketURL(parsing: proxy.url(path: "/ws")))
        plan.direct = try WebSocketURL(parsing: lab.websocketURL)
        plan.profile = .reference
        plan.token = .literal(token)
        // Bounds that guard against a hang: generous, a busy machine can take seconds on loopback.
        plan.timeouts.connect = .seconds(10)
        plan.timeouts.upgrade = .seconds(10)
        plan.timeouts.message = .seconds(10)
        plan.timeouts.close = .seconds(2)
        return plan
    }

    @Test func authChannelMatrixShowsTheFrontStrippingAuthorization() async throws {
        try await withFront([FaultSpec(name: "strip-header", parameters: ["name": "Authorization"])]) { lab, proxy, token in
            var plan = try plan(front: proxy, direct: lab, token: token)
            plan.authChannels = [.subprotocol, .header, .query]
            let report = try await ProbeRunner(plan: plan).run()
            let channels = try #require(report.authChannels)
            func result(_ channel: AuthChannel, _ path: ProbePath) -> AuthChannelResult? {
                channels.first { $0.channel == channel && $0.path == path }
            }
            #expect(channels.count == 7)
            #expect(result(.header, .front)?.accepted == false)
            #expect(result(.header, .front)?.status == 403)
            #expect(result(.header, .direct)?.accepted == true)
            #expect(result(.subprotocol, .front)?.accepted == true)
            #expect(result(.query, .front)?.accepted == true)
            #expect(result(.none, .direct)?.accepted == false)
            #expect(result(.none, .direct)?.status == 403)
            // The main run uses the subprotocol, which survives: the path itself is healthy.
            #expect(report.steps.first { $0.name == .agentEvents }?.status == .passed)
            #expect(!(report.authChannels ?? []).map(\.detail).joined().contains(token))
        }
    }

    @Test func idleTimeoutOfTheFrontIsMeasuredAndPingsKeepTheConnectionAlive() async throws {
        // 1 s of silence: four times the ping interval, so pings delayed on a loaded machine still keep the
        // lifetime probe alive, while the silent probe is cut well inside its 2.5 s.
        try await withFront([FaultSpec(name: "idle-timeout", parameters: ["after": "1s"])]) { lab, proxy, token in
            var plan = try plan(front: proxy, direct: lab, token: token)
            plan.authChannelMatrix = false
            plan.idleProbe = .milliseconds(2500)
            plan.lifetimeProbe = .milliseconds(2500)
            plan.trafficInterval = .milliseconds(250)
            let report = try await ProbeRunner(plan: plan).run()
            let m = try #require(report.measurements)
            let idle = try #require(m.idleTimeoutMs)
            #expect(idle > 850 && idle < 2000, "idle probe ended after \(idle) ms")
            #expect(m.lifetimeMs == nil)
            #expect(m.idleTranscript?.close.received == nil)  // a bare TCP end, no close frame
            #expect(report.verdict.cause == "infrastructure.idle-timeout", "\(report.verdict)")
        }
    }
}
