import Foundation
import NIOCore
import NIOPosix
import Testing
import WebSocketDiagnosis
import WebSocketLab

@testable import WebSocketProbe

/// End-to-end: the runner against the lab's reference backend and against a closed port, on loopback.
@Suite("Probe runner against the lab")
struct ProbeRunnerLabTests {
    private func referencePlan(_ lab: LabServer, token: String?) throws -> ProbePlan {
        var plan = ProbePlan(target: try WebSocketURL(parsing: lab.websocketURL))
        plan.profile = .reference
        plan.token = token.map { .literal($0) } ?? .none
        // Bounds that guard against a hang: generous, a busy machine can take seconds on loopback.
        plan.timeouts.connect = .seconds(10)
        plan.timeouts.tlsHandshake = .seconds(10)
        plan.timeouts.upgrade = .seconds(10)
        plan.timeouts.message = .seconds(10)
        plan.timeouts.close = .seconds(2)
        return plan
    }

    @Test func referenceProfileAgainstTheLabIsHealthyWithAllFiveEvents() async throws {
        try await Self.withLab { lab in
            let token = try await lab.mintToken(email: TestUser.enterprise.email)
            let outcome = try await ProbeRunner(plan: try referencePlan(lab, token: token)).execute()
            let report = outcome.report
            #expect(report.verdict.layer == .healthy, "\(TextReportRenderer.render(report))")
            #expect(report.steps.filter { $0.status == .failed }.isEmpty)
            let agent = try #require(report.steps.first { $0.name == .agentEvents })
            #expect(agent.status == .passed)
            #expect(report.steps.first { $0.name == .subprotocol }?.status == .passed)
            #expect(report.transcript.handshake?.subprotocol == "jwt-auth")
            #expect(agent.detail.contains("all 5 events in order"), "\(agent.detail)")
            #expect(report.transcript.frames.filter { $0.direction == .inbound && $0.opcode == "text" }.count >= 9)
            #expect(report.transcript.wire.bytesIn > 0 && report.transcript.wire.bytesOut > 0)
            // The auth-channel matrix ran through the front with the profile's own channels; the URL
            // query, which fronts log, is not used unless named.
            let channels = try #require(report.authChannels)
            #expect(Set(channels.map(\.channel)) == [.subprotocol, .header])
            #expect(channels.allSatisfy { $0.accepted }, "\(channels)")
        }
    }

    @Test func theQueryChannelIsTriedOnlyWhenNamedAndTheLabAcceptsAllThree() async throws {
        try await Self.withLab { lab in
            let token = try await lab.mintToken(email: TestUser.enterprise.email)
            var plan = try referencePlan(lab, token: token)
            plan.authChannels = [.subprotocol, .header, .query]
            let report = try await ProbeRunner(plan: plan).run()
            let channels = try #require(report.authChannels)
            #expect(channels.map(\.channel) == [.subprotocol, .header, .query])
            #expect(channels.allSatisfy { $0.accepted }, "\(channels)")
        }
    }

    @Test func tokenNeverAppearsInAnyRenderedOutput() async throws {
        try await Self.withLab { lab in
            let token = try await lab.mintToken(email: TestUser.enterprise.email)
            let outcome = try await ProbeRunner(plan: try referencePlan(lab, token: token)).execute()
            let outputs = [
                TextReportRenderer.render(outcome.report, redactor: outcome.redactor),
                try JSONReportRenderer.render(outcome.report, redactor: outcome.redactor),
                JUnitReportRenderer.render(outcome.report, redactor: outcome.redactor),
                // Even without the run's redactor, the report itself carries no token.
                String(decoding: try JSONEncoder().encode(outcome.report), as: UTF8.self),
            ]
            let encoded = ProbeRunner.base64url(token)
            for output in outputs {
                #expect(!output.contains(token))
                #expect(!output.contains(encoded))
            }
        }
    }

    @Test func missingTokenFailsTheUpgradeAndIsNotHealthy() async throws {
        try await Self.withLab { lab in
            let report = try await ProbeRunner(plan: try referencePlan(lab, token: nil)).run()
            #expect(report.verdict.layer != .healthy)
            let upgrade = try #require(report.steps.first { $0.name == .upgrade })
            #expect(upgrade.status == .failed)
            #expect(upgrade.detail.contains("403"))
            let close = try #require(report.steps.first { $0.name == .close })
            #expect(close.status == .skipped)
            #expect(close.detail == "not run: the upgrade step failed")
        }
    }

    @Test func closedPortIsDiagnosedAsConnectionRefused() async throws {
        let closed = try ClosedPort()  // bound, never listening: refuses, and no other test can take the port
        defer { withExtendedLifetime(closed) {} }
        let port = closed.port
        var plan = ProbePlan(target: try WebSocketURL(parsing: "ws://127.0.0.1:\(port)/ws"))
        plan.timeouts.connect = .seconds(2)
        let report = try await ProbeRunner(plan: plan).run()
        #expect(report.verdict.cause == "network.connection-refused", "\(report.verdict)")
        #expect(report.steps.first { $0.name == .connect }?.status == .failed)
        #expect(report.steps.dropFirst(2).allSatisfy { $0.status == .skipped })

        // The JSON report decodes back to the same report, with its schema.
        let json = try JSONReportRenderer.render(report)
        let decoded = try JSONReportRenderer.decode(Data(json.utf8))
        #expect(try JSONReportRenderer.render(decoded) == json)  // stable round trip (dates at ISO-8601 precision)
        #expect(decoded.verdict == report.verdict && decoded.steps == report.steps)
        let object = try #require(try JSONSerialization.jsonObject(with: Data(json.utf8)) as? [String: Any])
        #expect(object["schema"] as? String == "ws1011.report/1")
    }

    @Test func timeoutProbesOutlivedByAHealthyBackendReportNull() async throws {
        try await Self.withLab { lab in
            let token = try await lab.mintToken(email: TestUser.enterprise.email)
            var plan = try referencePlan(lab, token: token)
            plan.idleProbe = .milliseconds(1200)
            plan.lifetimeProbe = .milliseconds(1200)
            plan.sustain = .milliseconds(1200)
            plan.trafficInterval = .milliseconds(300)
            plan.authChannelMatrix = false
            let updates = ProgressLog()
            let started = ContinuousClock.now
            let report = try await ProbeRunner(plan: plan, progress: { updates.append($0) }).run()
            let measurements = try #require(report.measurements)
            #expect(measurements.idleTimeoutMs == nil)
            #expect(measurements.lifetimeMs == nil)
            #expect(measurements.idleProbeMs == 1200)
            #expect(measurements.idleTranscript?.close.transportEnd != .notConnected)
            #expect((measurements.lifetimeTranscript?.pings.count ?? 0) >= 2)
            #expect((measurements.sustainedMs ?? 0) >= 1100)
            #expect(report.steps.first { $0.name == .sustain }?.status == .passed)
            #expect(report.authChannels == nil)
            // Both probes run concurrently: they start together, not 1.2 s apart.
            let idleStart = try #require(measurements.idleTranscript?.startedAt)
            let lifetimeStart = try #require(measurements.lifetimeTranscript?.startedAt)
            #expect(abs(idleStart.timeIntervalSince(lifetimeStart)) < 0.6)
            #expect(started.duration(to: .now) >= .seconds(2.4))
            let activities = Set(updates.all.map(\.activity))
            #expect(activities.contains("idle-probe") && activities.contains("lifetime-probe"))
            #expect(updates.all.contains { $0.activity.hasPrefix("sustain") && $0.total == .milliseconds(1200) })
        }
    }

    @Test func tokenFetchedFromTheAuthServiceOpensTheReferenceRun() async throws {
        try await Self.withLab { lab in
            var plan = try referencePlan(lab, token: nil)
            plan.token = .fetch(authURL: lab.authBaseURL + "/auth/token", email: TestUser.enterprise.email)
            plan.authChannelMatrix = false
            let report = try await ProbeRunner(plan: plan).run()
            #expect(report.verdict.layer == .healthy, "\(report.verdict)")
            #expect(report.steps.first { $0.name == .auth }?.status == .passed)
        }
    }

    @Test func unknownUserAtTheAuthServiceIsAConfigurationErrorNamingIt() async throws {
        try await Self.withLab { lab in
            let fetcher = AuthTokenFetcher(authURL: lab.authBaseURL + "/auth/token", email: "nobody@example.invalid", timeout: .seconds(2))
            do throws(ProbeError) {
                _ = try await fetcher.fetch()
                Issue.record("an unknown user got a token")
            } catch {
                #expect(error.description.contains("nobody@example.invalid"))
                #expect(error.description.contains("401"))
            }
        }
    }

    @Test func tokenMintedWithTheLabSecretIsAcceptedAndTheSecretIsRedacted() async throws {
        try await Self.withLab { lab in
            var plan = try referencePlan(lab, token: nil)
            plan.token = .mint(secret: LabConfiguration.defaultSecret, email: TestUser.enterprise.email)
            plan.authChannelMatrix = false
            let outcome = try await ProbeRunner(plan: plan).execute()
            #expect(outcome.report.verdict.layer == .healthy, "\(outcome.report.verdict)")
            #expect(outcome.redactor.text("x \(LabConfiguration.defaultSecret) y") == "x <redacted> y")
        }
    }

    /// Runs `body` against a fresh lab and always shuts it down.
    @Test func anOversizedMessageWithinTheLimitPassesAndOurKeepaliveRunsOnTheMainConnection() async throws {
        try await Self.withLab { lab in
            let token = try await lab.mintToken(email: TestUser.enterprise.email)
            var plan = try referencePlan(lab, token: token)
            plan.authChannelMatrix = false
            plan.messageSize = 4096
            plan.keepalive = .init(interval: .milliseconds(100), timeout: .seconds(2))
            let report = try await ProbeRunner(plan: plan).run()
            #expect(report.verdict.layer == .healthy, "\(TextReportRenderer.render(report))")
            let messages = try #require(report.steps.first { $0.name == .messages })
            #expect(messages.status == .passed)
            #expect(messages.detail.contains("4096-byte message"), "\(messages.detail)")
            let sent = report.transcript.frames.filter { $0.direction == .outbound && $0.opcode == "text" }
            #expect(sent.contains { $0.length == 4096 }, "the message is exactly the size asked for")
            #expect(report.transcript.pings.count >= 2, "our keepalive pinged during the run")
        }
    }

    @Test func withheldPongsLetTheServerKeepaliveClose1011() async throws {
        var configuration = LabConfiguration()
        configuration.appFaults = [try FaultSpec(parsing: "keepalive:interval=200ms,timeout=500ms")]
        let lab = try await LabServer.start(configuration)
        let token = try await lab.mintToken(email: TestUser.enterprise.email)
        var plan = try referencePlan(lab, token: token)
        plan.authChannelMatrix = false
        plan.withholdPongs = true
        plan.sustain = .seconds(3)
        plan.trafficInterval = .milliseconds(250)
        let report = try await ProbeRunner(plan: plan).run()
        await lab.shutdown()
        #expect(report.transcript.close.received?.code == 1011)
        #expect(report.transcript.close.received?.reason == "keepalive ping timeout")
        #expect(report.verdict.cause == "application.keepalive-timeout", "\(report.verdict)")
    }

    @Test func invalidKeepaliveOrMessageSizeIsRefusedBeforeAnyConnection() throws {
        var plan = ProbePlan(target: try WebSocketURL(parsing: "ws://127.0.0.1:1/ws"))
        plan.keepalive = .init(interval: .zero, timeout: .seconds(1))
        #expect(throws: ProbeError.self) { try plan.validate() }
        plan.keepalive = nil
        plan.messageSize = 0
        #expect(throws: ProbeError.self) { try plan.validate() }
    }

    static func withLab(_ body: (LabServer) async throws -> Void) async throws {
        let lab = try await LabServer.start(LabConfiguration())
        do {
            try await body(lab)
        } catch {
            await lab.shutdown()
            throw error
        }
        await lab.shutdown()
    }

    /// A loopback port that nothing listens on (bound, read back, closed).
}

/// Collects progress updates from any task.
final class ProgressLog: @unchecked Sendable {
    private let lock = NSLock()
    private var updates: [ProbeProgress] = []
    func append(_ p: ProbeProgress) { lock.lock(); updates.append(p); lock.unlock() }
    var all: [ProbeProgress] { lock.lock(); defer { lock.unlock() }; return updates }
}
