/// What the connections one backend instance served did, for a fleet whose front names its instances
/// (``FleetConnection/instance``).
public struct FleetInstance: Codable, Sendable, Equatable {
    /// The instance, as the front named it (scrubbed, bounded).
    public var name: String
    /// How many fleet connections it answered (opened or refused).
    public var connections: Int
    /// How many of them opened (HTTP 101).
    public var opened: Int
    /// How many lived the whole hold.
    public var held: Int
    /// How many ended during the hold, not by the probe's doing.
    public var ended: Int
    /// How many it refused (an answer other than 101).
    public var notOpened: Int
    /// The commonest way its connections failed (``FleetConnection/signature``), `nil` when none failed.
    public var failure: FleetEndSignature?
    /// How many failed that way.
    public var failureCount: Int

    public init(
        name: String, connections: Int, opened: Int, held: Int, ended: Int, notOpened: Int, failure: FleetEndSignature?, failureCount: Int
    ) {
        self.name = name
        self.connections = connections
        self.opened = opened
        self.held = held
        self.ended = ended
        self.notOpened = notOpened
        self.failure = failure
        self.failureCount = failureCount
    }

    /// How many of its connections failed (ended during the hold, or never opened).
    public var failed: Int { ended + notOpened }

    /// The connections grouped by the instance that served them, by name; empty when no connection names one.
    public static func tally(_ connections: [FleetConnection]) -> [FleetInstance] {
        Dictionary(grouping: connections.filter { $0.instance != nil }, by: { $0.instance! })
            .map { name, members in
                var ways: [FleetEndSignature: Int] = [:]
                for m in members where m.outcome == .ended || m.outcome == .notOpened { ways[m.signature, default: 0] += 1 }
                let top = ways.max { $0.value == $1.value ? $0.key > $1.key : $0.value < $1.value }
                return FleetInstance(
                    name: name, connections: members.count, opened: members.filter { $0.openedAtMs != nil }.count,
                    held: members.filter { $0.outcome == .held }.count, ended: members.filter { $0.outcome == .ended }.count,
                    notOpened: members.filter { $0.outcome == .notOpened }.count, failure: top?.key, failureCount: top?.value ?? 0)
            }
            .sorted { $0.name < $1.name }
    }
}
