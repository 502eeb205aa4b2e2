import Foundation

/// One line of the results table: a figure next to its peer's, the ratio and the goal.
struct BenchRow: Sendable, Codable {
    /// Which benchmark (1–4) and what is measured.
    var benchmark: String
    /// What the figure is, with its unit.
    var metric: String
    /// ws1011's figure (nil when it could not be measured; `note` says why).
    var value: Double?
    /// The unit of `value` and `peerValue`.
    var unit: String
    /// The peer's name (HAProxy, Python websockets, …) or nil for an absolute goal.
    var peer: String?
    /// The peer's figure from the same run, or nil (`note` says why).
    var peerValue: Double?
    /// The goal in words.
    var goal: String
    /// Whether the goal is met; nil when it could not be decided.
    var met: Bool?
    /// Why a figure is missing, or what to know about it.
    var note: String?

    /// value / peerValue, when both exist.
    var ratio: Double? {
        guard let value, let peerValue, peerValue != 0 else { return nil }
        return value / peerValue
    }

    enum CodingKeys: String, CodingKey {
        case benchmark, metric, value, unit, peer, peerValue, ratio, goal, met, note
    }

    func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(benchmark, forKey: .benchmark)
        try c.encode(metric, forKey: .metric)
        try c.encode(value, forKey: .value)
        try c.encode(unit, forKey: .unit)
        try c.encode(peer, forKey: .peer)
        try c.encode(peerValue, forKey: .peerValue)
        try c.encode(ratio, forKey: .ratio)
        try c.encode(goal, forKey: .goal)
        try c.encode(met, forKey: .met)
        try c.encodeIfPresent(note, forKey: .note)
    }

    init(
        benchmark: String, metric: String, value: Double?, unit: String, peer: String? = nil, peerValue: Double? = nil,
        goal: String, met: Bool?, note: String? = nil
    ) {
        self.benchmark = benchmark
        self.metric = metric
        self.value = value
        self.unit = unit
        self.peer = peer
        self.peerValue = peerValue
        self.goal = goal
        self.met = met
        self.note = note
    }

    init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        benchmark = try c.decode(String.self, forKey: .benchmark)
        metric = try c.decode(String.self, forKey: .metric)
        value = try c.decodeIfPresent(Double.self, forKey: .value)
        unit = try c.decode(String.self, forKey: .unit)
        peer = try c.decodeIfPresent(String.self, forKey: .peer)
        peerValue = try c.decodeIfPresent(Double.self, forKey: .peerValue)
        goal = try c.decode(String.self, forKey: .goal)
        met = try c.decodeIfPresent(Bool.self, forKey: .met)
        note = try c.decodeIfPresent(String.self, forKey: .note)
    }
}
