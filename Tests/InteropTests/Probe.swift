import Foundation
import Testing
import WebSocketDiagnosis
import WebSocketProbe
import WebSocketTestFramework

/// Short bounds and helpers for probing peers on loopback.
enum Probe {
    /// Short bounds: every peer is on loopback, yet the suite runs in parallel on 2 cores.
    static var timeouts: ClientConfiguration.Timeouts {
        var t = ClientConfiguration.Timeouts()
        t.connect = .seconds(5)
        t.tlsHandshake = .seconds(5)
        t.upgrade = .seconds(5)
        t.message = .seconds(5)
        t.close = .seconds(3)
        return t
    }

    /// Runs a layered probe of `url` (plan adjusted by `configure`) and returns the classified report.
    static func diagnose(_ url: String, _ configure: (inout ProbePlan) throws -> Void = { _ in }) async throws -> DiagnosisReport {
        var plan = ProbePlan(target: try WebSocketURL(parsing: url))
        plan.timeouts = timeouts
        try configure(&plan)
        let report = try await ProbeRunner(plan: plan).run()
        WireByteCounter.register(report)
        return report
    }

    /// A client configuration for `url` with the short bounds.
    static func configuration(_ url: String) throws -> ClientConfiguration {
        var configuration = ClientConfiguration(url: try WebSocketURL(parsing: url))
        configuration.timeouts = timeouts
        return configuration
    }

    /// Classifies one transcript alone (no steps beyond what the transcript shows).
    static func classify(_ transcript: ConnectionTranscript, messagesSentAtMs: [Double] = [], profile: String = "echo") -> Verdict {
        FailureClassifier.classify(
            ClassificationInput(
                transcript: transcript, expectations: ProbeExpectations(profile: profile, messagesSentAtMs: messagesSentAtMs)))
    }

    /// A description of a report for failure messages: verdict, steps, close.
    static func describe(_ report: DiagnosisReport) -> Comment {
        let steps = report.steps.map { "\($0.name.rawValue)=\($0.status.rawValue)(\($0.detail))" }.joined(separator: "; ")
        let evidence = report.verdict.evidence.map { "[\($0.rule)] \($0.observation)" }.joined(separator: " | ")
        return Comment(
            rawValue:
                "verdict \(report.verdict.cause) (\(report.verdict.layer.rawValue)): \(report.verdict.summary)\nevidence: \(evidence)\nsteps: \(steps)\nclose: \(describe(report.transcript.close))\nhandshake: \(report.transcript.handshake.map { "\($0.status.map(String.init) ?? "-") \($0.bodyPreview ?? "")" } ?? "none") failure: \(report.transcript.failure.map { "\($0.kind): \($0.detail)" } ?? "none")\nmeasurements: \(report.measurements.map { "idle \($0.idleTimeoutMs.map { "\($0)" } ?? "nil") lifetime \($0.lifetimeMs.map { "\($0)" } ?? "nil")" } ?? "none")"
        )
    }

    /// A description of a close observation for failure messages.
    static func describe(_ close: CloseObservation) -> Comment {
        Comment(
            rawValue:
                "received \(close.received.map { "\($0.code.map(String.init) ?? "none") '\($0.reason)'" } ?? "nil"), sent \(close.sent.map { "\($0.code.map(String.init) ?? "none") '\($0.reason)'" } ?? "nil"), order \(close.order.rawValue), transport \(close.transportEnd.rawValue) at \(close.atMs.map { "\($0)" } ?? "nil")"
        )
    }
}
