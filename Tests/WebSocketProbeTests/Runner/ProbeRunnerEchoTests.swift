import Foundation
import Testing
import WebSocketDiagnosis
import WebSocketLab

@testable import WebSocketProbe

/// End-to-end: the plain and echo profiles against the lab's echo server on loopback.
@Suite("Probe runner against an echo server")
struct ProbeRunnerEchoTests {
    private func plan(_ server: EchoServer, _ profile: ProbeProfile) throws -> ProbePlan {
        var plan = ProbePlan(target: try WebSocketURL(parsing: server.url))
        plan.profile = profile
        // Bounds that guard against a hang: generous, a busy machine can take seconds on loopback.
        plan.timeouts.connect = .seconds(10)
        plan.timeouts.upgrade = .seconds(10)
        plan.timeouts.message = .seconds(10)
        plan.timeouts.close = .seconds(2)
        return plan
    }

    private func withEcho(_ configuration: EchoServer.Configuration = .init(), _ body: (EchoServer) async throws -> Void) async throws {
        let server = try await EchoServer.start(configuration: configuration)
        do {
            try await body(server)
        } catch {
            await server.shutdown()
            throw error
        }
        await server.shutdown()
    }

    @Test(arguments: [ProbeProfile.plain, .echo])
    func healthyEchoServerIsHealthy(_ profile: ProbeProfile) async throws {
        try await withEcho { server in
            let report = try await ProbeRunner(plan: try plan(server, profile)).run()
            #expect(report.verdict.layer == .healthy, "\(TextReportRenderer.render(report))")
            let byName = Dictionary(uniqueKeysWithValues: report.steps.map { ($0.name, $0) })
            for name in [StepName.resolve, .connect, .upgrade, .ping, .close] {
                #expect(byName[name]?.status == .passed, "\(name): \(byName[name]?.detail ?? "")")
            }
            #expect(byName[.agentEvents]?.status == .skipped)
            #expect(report.transcript.pings.first?.rttMs != nil)
            #expect(report.transcript.close.received != nil)
            if profile == .echo {
                #expect(byName[.messages]?.status == .passed)
                #expect(byName[.messages]?.detail.contains("same text came back") == true)
            } else {
                #expect(byName[.messages]?.status == .skipped)
            }
        }
    }

    @Test func offeredSubprotocolNotEchoedFailsTheSubprotocolStep() async throws {
        try await withEcho(EchoServer.Configuration(echoSubprotocol: false)) { server in
            var p = try plan(server, .plain)
            p.subprotocols = ["chat.v1"]
            let report = try await ProbeRunner(plan: p).run()
            #expect(report.verdict.layer != .healthy)
            #expect(report.steps.first { $0.name == .subprotocol }?.status == .failed)
            #expect(report.steps.first { $0.name == .ping }?.status == .skipped)
        }
    }

    /// An echo server speaks no one's contract: under the lab profile (with a token) the connection works,
    /// the welcome never comes, and the verdict says the profile does not fit — not the app, not the front —
    /// whether the server selects the offered `jwt-auth` or none at all.
    @Test(arguments: [true, false])
    func anEchoServerUnderTheLabProfileIsAContractMismatch(echoSubprotocol: Bool) async throws {
        try await withEcho(EchoServer.Configuration(echoSubprotocol: echoSubprotocol)) { server in
            var p = try plan(server, .lab)
            p.token = .literal("eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJ4In0.c2lnbmF0dXJl")
            p.timeouts.message = .seconds(2)
            let report = try await ProbeRunner(plan: p).run()
            #expect(report.verdict.cause == .contractMismatch, "\(TextReportRenderer.render(report))")
            #expect(report.verdict.layer == .client)
            let contract = try #require(report.contract)
            #expect(contract.profile == "lab")
            #expect(contract.mismatches.contains { $0.field == "welcome" })
            if !echoSubprotocol { #expect(contract.mismatches.contains { $0.field == "auth.selects" }) }
            #expect(!TextReportRenderer.render(report).contains("c2lnbmF0dXJl"))
        }
    }

    @Test func directRunGoesSideBySide() async throws {
        try await withEcho { front in
            try await withEcho { backend in
                var p = try plan(front, .echo)
                p.direct = try WebSocketURL(parsing: backend.url)
                let report = try await ProbeRunner(plan: p).run()
                #expect(report.verdict.layer == .healthy, "\(report.verdict)")
                let direct = try #require(report.directTranscript)
                #expect(direct.target.port == backend.port)
                #expect(report.transcript.target.port == front.port)
                #expect(direct.wire.bytesIn > 0)
            }
        }
    }
}
