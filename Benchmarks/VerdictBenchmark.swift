import Foundation
import NIOPosix
import WebSocketDiagnosis
import WebSocketLab
import WebSocketProbe

/// Benchmark 4: time to verdict of the in-process `ProbeRunner` (what `ws1011 diagnose` runs) with
/// the reference profile against the lab, no sustain and no timeout probes; median after warm-up
/// and the share of each layer (from the steps' durations).
enum VerdictBenchmark {
    struct Variant: Sendable, Codable {
        var name: String
        var runs: Int
        var medianMs: Double
        var p90Ms: Double
        var minMs: Double
        var verdicts: [String]
        /// Mean of the runs (ms): means add up, so the shares below sum to it.
        var meanMs: Double
        /// Mean duration of each step (ms), by step name.
        var stepMeanMs: [String: Double]
        /// Mean of (total − sum of step durations): the auth-channel matrix, classification, report.
        var otherMeanMs: Double
    }

    struct Report: Sendable, Codable {
        var variants: [Variant] = []
        var errors: [String: String] = [:]
    }

    static func run(_ settings: BenchSettings, log: (String) -> Void) async -> (rows: [BenchRow], report: Report) {
        var report = Report()
        log("4. time to verdict: reference profile against the lab, \(settings.verdictRuns) runs after warm-up")
        let labGroup = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        await measure(settings, report: &report, labGroup: labGroup, log: log)
        try? await labGroup.shutdownGracefully()
        return (rows(report), report)
    }

    private static func measure(
        _ settings: BenchSettings, report: inout Report, labGroup: MultiThreadedEventLoopGroup, log: (String) -> Void
    ) async {
        let cases: [(String, Duration, Bool, Int)] = [
            ("lab step delay 0, auth matrix on", .zero, true, settings.verdictRuns),
            ("lab step delay 0, auth matrix off", .zero, false, settings.verdictRuns),
            ("lab default step delay 20 ms", .milliseconds(20), true, max(3, settings.verdictRuns / 4)),
        ]
        for (name, delay, matrix, runs) in cases {
            do {
                var configuration = LabConfiguration()
                configuration.agentStepDelay = delay
                let lab = try await LabServer.start(configuration, eventLoopGroup: labGroup)
                let email = configuration.users.first?.email ?? "websocket-test-1@netra-testing.example.com"
                var plan = ProbePlan(target: try WebSocketURL(parsing: lab.websocketURL))
                plan.profile = .reference
                plan.token = .literal(try await lab.mintToken(email: email))
                plan.authChannelMatrix = matrix
                let runner = ProbeRunner(plan: plan)
                for _ in 0..<2 { _ = try await runner.execute() }
                var totals: [Double] = []
                var steps: [String: [Double]] = [:]
                var others: [Double] = []
                var verdicts: Set<String> = []
                let clock = ContinuousClock()
                for _ in 0..<runs {
                    let start = clock.now
                    let outcome = try await runner.execute()
                    let total = (clock.now - start).ms
                    totals.append(total)
                    var stepSum = 0.0
                    for step in outcome.report.steps {
                        guard let d = step.durationMs else { continue }
                        steps[step.name.rawValue, default: []].append(d)
                        stepSum += d
                    }
                    others.append(max(0, total - stepSum))
                    verdicts.insert("\(outcome.report.verdict.layer.rawValue)/\(outcome.report.verdict.cause)")
                }
                await lab.shutdown()
                let variant = Variant(
                    name: name, runs: runs, medianMs: median(totals), p90Ms: LatencySummary(millis: totals).p90Ms,
                    minMs: totals.min() ?? 0, verdicts: verdicts.sorted(), meanMs: mean(totals),
                    stepMeanMs: steps.mapValues { $0.reduce(0, +) / Double(runs) }, otherMeanMs: mean(others))
                report.variants.append(variant)
                log(
                    String(
                        format: "  %@: median %.1f ms (p90 %.1f), verdict %@", name, variant.medianMs, variant.p90Ms,
                        variant.verdicts.joined(separator: ", ")))
            } catch {
                report.errors[name] = "\(error)"
            }
        }
    }

    static func mean(_ values: [Double]) -> Double {
        values.isEmpty ? 0 : values.reduce(0, +) / Double(values.count)
    }

    static func median(_ values: [Double]) -> Double {
        let s = values.sorted()
        guard !s.isEmpty else { return 0 }
        return s.count % 2 == 1 ? s[s.count / 2] : (s[s.count / 2 - 1] + s[s.count / 2]) / 2
    }

    static func rows(_ r: Report) -> [BenchRow] {
        let b = "4 time to verdict"
        var rows: [BenchRow] = []
        for v in r.variants {
            let healthy = v.verdicts.allSatisfy { $0.hasPrefix("healthy") }
            let primary = v.name.contains("matrix on") && v.name.contains("delay 0")
            rows.append(
                BenchRow(
                    benchmark: b, metric: "median, \(v.name)", value: v.medianMs, unit: "ms",
                    goal: primary ? "< 50 ms" : "(info)", met: primary ? v.medianMs < 50 && healthy : nil,
                    note: healthy ? nil : "verdicts: \(v.verdicts.joined(separator: ", "))"))
        }
        for (name, error) in r.errors.sorted(by: { $0.key < $1.key }) {
            rows.append(BenchRow(benchmark: b, metric: "median, \(name)", value: nil, unit: "ms", goal: "< 50 ms", met: nil, note: error))
        }
        if let v = r.variants.first(where: { $0.name.contains("matrix on") && $0.name.contains("delay 0") }) {
            let total = v.meanMs
            var parts = StepName.allCases.compactMap { step -> (String, Double)? in
                v.stepMeanMs[step.rawValue].map { (step.rawValue, $0) }
            }
            parts.append(("other (auth-channel matrix, classification, report)", v.otherMeanMs))
            if let off = r.variants.first(where: { $0.name.contains("matrix off") }) {
                parts.append(("of which the auth-channel matrix ≈ mean(on) − mean(off)", max(0, v.meanMs - off.meanMs)))
            }
            let text = parts.map { String(format: "%@ %.1f ms (%.0f%%)", $0.0, $0.1, total > 0 ? $0.1 / total * 100 : 0) }.joined(
                separator: ", ")
            rows.append(
                BenchRow(
                    benchmark: b, metric: "mean, split by layer (see note)", value: total, unit: "ms", goal: "(info)", met: nil,
                    note: "mean time by layer, \(v.name): " + text))
        }
        return rows
    }
}
