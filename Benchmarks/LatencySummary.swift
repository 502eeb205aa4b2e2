/// Percentiles of a set of round-trip times, computed on the sorted samples (nearest rank).
struct LatencySummary: Sendable, Codable {
    var samples: Int
    var p50Ms: Double
    var p90Ms: Double
    var p99Ms: Double
    var p999Ms: Double
    var maxMs: Double

    /// Summarises nanosecond samples (all zeros when there are none).
    init(nanos: [UInt64]) {
        let sorted = nanos.sorted()
        samples = sorted.count
        func pct(_ p: Double) -> Double {
            guard !sorted.isEmpty else { return 0 }
            let rank = Int((p * Double(sorted.count)).rounded(.up)) - 1
            return Double(sorted[min(max(rank, 0), sorted.count - 1)]) / 1_000_000
        }
        p50Ms = pct(0.50)
        p90Ms = pct(0.90)
        p99Ms = pct(0.99)
        p999Ms = pct(0.999)
        maxMs = sorted.last.map { Double($0) / 1_000_000 } ?? 0
    }

    /// Summarises millisecond samples.
    init(millis: [Double]) {
        self.init(nanos: millis.map { UInt64(max(0, $0) * 1_000_000) })
    }
}
