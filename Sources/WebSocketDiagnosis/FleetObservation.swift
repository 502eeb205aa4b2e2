/// What a fleet probe (`diagnose --connections N`) saw: N connections opened over a short ramp and held
/// in parallel, each summarised, the few ends that came close together grouped into clusters.
///
/// Built by the probe runner, read by ``FleetRule`` and carried in the report's `fleet` block.
public struct FleetObservation: Codable, Sendable, Equatable {
    /// How many connections were asked for.
    public var requested: Int
    /// How many opened (HTTP 101).
    public var opened: Int
    /// How many ended during the hold, not by the probe's doing.
    public var ended: Int
    /// How long the fleet was held, from its start.
    public var holdMs: Double
    /// Over how long the opens were spread (so that connections ending at one instant have different ages).
    public var rampMs: Double
    /// The ping interval every connection carried; `nil` when they were silent.
    public var pingIntervalMs: Double?
    /// The window ends are grouped in.
    public var clusterWindowMs: Double
    /// One summary per connection, by index.
    public var connections: [FleetConnection]
    /// Groups of ends within ``clusterWindowMs``, largest first (two ends or more).
    public var clusters: [FleetCluster]
    /// A few whole transcripts of connections that ended, as examples (at most ``maximumExamples``).
    public var examples: [ConnectionTranscript]
    /// The connections by the backend instance that served them, by name, when the front named any
    /// (``FleetConnection/instance``); `nil` when none was named.
    public var instances: [FleetInstance]?

    /// How many whole transcripts a fleet keeps.
    public static let maximumExamples = 3

    /// A fleet's observation; `opened`, `ended` and `clusters` are derived from `connections`.
    ///
    /// - Parameter clusterWindowMs: how close together ends must be to be grouped (default 1000 ms).
    public init(
        requested: Int, holdMs: Double, rampMs: Double, pingIntervalMs: Double?, connections: [FleetConnection],
        examples: [ConnectionTranscript] = [], clusterWindowMs: Double = 1000
    ) {
        self.requested = requested
        self.holdMs = holdMs
        self.rampMs = rampMs
        self.pingIntervalMs = pingIntervalMs
        self.clusterWindowMs = clusterWindowMs
        self.connections = connections.sorted { $0.index < $1.index }
        self.examples = Array(examples.prefix(Self.maximumExamples))
        opened = connections.filter { $0.openedAtMs != nil }.count
        ended = connections.filter { $0.outcome == .ended }.count
        clusters = Self.clusters(of: connections, window: clusterWindowMs)
        instances = Self.instances(of: connections)
    }

    /// ``FleetInstance/tally(_:)``, `nil` when no connection names its instance.
    static func instances(of connections: [FleetConnection]) -> [FleetInstance]? {
        let tally = FleetInstance.tally(connections)
        return tally.isEmpty ? nil : tally
    }

    /// The ends grouped greedily: from the earliest end, every end within `window` of it is one group; groups
    /// of two or more, largest (then earliest) first.
    static func clusters(of connections: [FleetConnection], window: Double) -> [FleetCluster] {
        let ends = connections.filter { $0.outcome == .ended && $0.endedAtMs != nil && $0.ageMs != nil }
            .sorted { $0.endedAtMs! < $1.endedAtMs! }
        var groups: [FleetCluster] = []
        var i = 0
        while i < ends.count {
            var j = i
            while j + 1 < ends.count, ends[j + 1].endedAtMs! - ends[i].endedAtMs! <= window { j += 1 }
            let members = ends[i...j]
            if members.count >= 2 {
                var tally: [FleetEndSignature: Int] = [:]
                for m in members { tally[m.signature, default: 0] += 1 }
                let top = tally.max { $0.value == $1.value ? $0.key > $1.key : $0.value < $1.value }!
                let ages = members.endAges
                groups.append(
                    FleetCluster(
                        fromMs: members.first!.endedAtMs!, toMs: members.last!.endedAtMs!, count: members.count,
                        signature: top.key, signatureCount: top.value, youngestAgeMs: ages.min()!, oldestAgeMs: ages.max()!))
            }
            i = j + 1
        }
        return groups.sorted { $0.count == $1.count ? $0.fromMs < $1.fromMs : $0.count > $1.count }
    }
}

extension FleetObservation {
    /// A copy with every text a peer wrote (close reasons, failure details, instance names, the example transcripts) scrubbed.
    public func redacted(by redactor: Redactor) -> FleetObservation {
        var copy = self
        copy.connections = connections.map { c in
            var c = c
            c.closeReason = c.closeReason.map(redactor.text)
            c.failure = c.failure.map(redactor.text)
            c.reopenFailure = c.reopenFailure.map(redactor.text)
            c.instance = c.instance.map(redactor.text)
            return c
        }
        copy.instances = Self.instances(of: copy.connections)
        copy.examples = examples.map { $0.redacted(by: redactor) }
        return copy
    }
}
