import Foundation
import Synchronization
import Testing
import WebSocketDiagnosis
import WebSocketLab

@testable import WebSocketProbe

/// Each front preset, its durations scaled down, in front of the echo server: the probe that shows its
/// signature is run through it, and the real classifier names the cause the vendor's behaviour is.
@Suite("Preset verdicts through the fault proxy")
struct FaultPresetVerdictTests {
    /// One preset, the probe that shows it, and the cause expected.
    struct Case: Sendable, CustomTestStringConvertible {
        var preset: String
        var expected: CauseID
        /// A fault (a preset) installed when the fleet starts, instead of from the start.
        var atFleetStart: String? = nil
        /// Run the same plan straight to the echo server too (`--direct`).
        var direct = false
        var probe: @Sendable (inout ProbePlan) -> Void
        var testDescription: String {
            "\(preset)\(atFleetStart.map { " then \($0)" } ?? "")\(direct ? " with --direct" : "") → \(expected)"
        }
    }

    /// Idle and lifetime probes with a ping every 300 ms: silence ends one, or both at the same age. The caps
    /// below are 4 s from the connect, so that an upgrade slowed by a busy machine still opens well inside them.
    static let timeoutProbes: @Sendable (inout ProbePlan) -> Void = {
        $0.idleProbe = .seconds(7)
        $0.lifetimeProbe = .seconds(7)
        $0.trafficInterval = .milliseconds(300)
    }

    static let cases: [Case] = [
        // proxy-read-timeout: silence from the backend ends the silent connection; pings (answered) keep the other.
        Case(preset: "ingress-nginx:timeout=1s", expected: .idleTimeout, probe: timeoutProbes),
        // A reload: the old workers cut every fleet connection after worker-shutdown-timeout, new ones open.
        // The opens are spread over the fleet's first 2 s; the cut comes at 2.6 s.
        Case(preset: "ingress-nginx", expected: .reloadDrain, atFleetStart: "ingress-nginx:reload=2600ms") {
            $0.connections = 6
            $0.fleetHold = .seconds(5)
        },
        Case(preset: "envoy:idle=1s", expected: .idleTimeout, probe: timeoutProbes),
        Case(preset: "envoy:max-duration=4s", expected: .lifetimeCap, probe: timeoutProbes),
        // A message over the frame quota is answered 1009 by the gateway, not by the application.
        Case(preset: "aws-api-gateway:frame=4096", expected: .messageTooBig) { $0.messageSize = 8192 },
        // With --direct the same message passes straight: the failure is named as the front's, not the application's.
        Case(preset: "aws-api-gateway:frame=4096", expected: .frontMessageSizeLimit, direct: true) { $0.messageSize = 8192 },
        Case(preset: "aws-api-gateway:idle=1s", expected: .idleTimeout, probe: timeoutProbes),
        // The request timeout ends the connection at the same age, pinged or silent.
        Case(preset: "azure-app-gateway:timeout=4s", expected: .lifetimeCap, probe: timeoutProbes),
        Case(preset: "traefik:timeout=4s", expected: .lifetimeCap, probe: timeoutProbes),
        Case(preset: "cloudflare:idle=1s", expected: .idleTimeout, probe: timeoutProbes),
        // The edge restart: 1001 with Cloudflare's reason on a connection kept busy.
        Case(preset: "cloudflare:restart-after=1s", expected: .edgeRestart) { $0.sustain = .seconds(4) },
    ]

    @Test(arguments: cases)
    func eachPresetsSignatureGetsItsCauseFromTheClassifier(_ c: Case) async throws {
        let echo = try await EchoServer.start(configuration: .init(name: "echo-0"))
        let proxy: FaultProxy
        do {
            proxy = try await FaultProxy.start(
                ProxyConfiguration(
                    upstreams: [ProxyUpstream(host: "127.0.0.1", port: echo.port)], faults: [try FaultSpec(parsing: c.preset)]))
        } catch {
            await echo.shutdown()
            throw error
        }
        do {
            var plan = ProbePlan(target: try WebSocketURL(parsing: proxy.url(path: "/")))
            plan.profile = .echo
            plan.authChannelMatrix = false
            plan.timeouts.connect = .seconds(10)
            plan.timeouts.upgrade = .seconds(10)
            plan.timeouts.message = .seconds(10)
            plan.maxTime = .seconds(60)
            if c.direct { plan.direct = try WebSocketURL(parsing: echo.url) }
            c.probe(&plan)
            let installed = Mutex(false)
            let later = try c.atFleetStart.map { try FaultSpec(parsing: $0) }
            let sink: ProbeProgressSink = { progress in
                guard progress.activity == "fleet", let later else { return }
                let first = installed.withLock { done in
                    defer { done = true }
                    return !done
                }
                if first { try? proxy.addFault(later) }
            }
            let report = try await ProbeRunner(plan: plan, progress: sink).run()
            let why =
                "\(report.verdict.cause): \(report.verdict.summary)\n\(report.verdict.evidence.map(\.observation).joined(separator: "\n"))"
            #expect(report.verdict.cause == c.expected, "\(why)")
            if c.atFleetStart != nil {
                #expect(installed.withLock { $0 }, "the fleet started")
                #expect(report.fleet?.clusters.first?.count == 6, "\(String(describing: report.fleet?.clusters))")
            }
            if c.preset.hasPrefix("aws-api-gateway:frame") {
                #expect(report.transcript.close.received?.code == 1009 || report.transcript.close.received == nil, "\(why)")
                if c.direct { #expect(report.verdict.layer != .application, "the direct run accepts the message: \(why)") }
            }
            if c.expected == .edgeRestart {
                #expect(report.transcript.close.received?.reason == FaultPreset.cloudflareRestartReason, "\(why)")
            }
        } catch {
            await proxy.shutdown()
            await echo.shutdown()
            throw error
        }
        await proxy.shutdown()
        await echo.shutdown()
    }
}
