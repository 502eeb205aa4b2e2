import Foundation
import WebSocketDiagnosis

/// One reproduction case of the catalog: a real-world cause, the loopback topology that reproduces it,
/// the probe to run, and what the client must observe.
///
/// A scenario is one JSON file in `Fixtures/scenarios/` (see ``ScenarioLoader``). Adding a case that uses
/// existing faults needs no Swift code.
public struct Scenario: Codable, Sendable, Equatable {
    /// Stable id, also the file name without `.json` (`proxy-idle-timeout`).
    public var id: String
    /// One line for humans.
    public var title: String
    /// The real-world cause it reproduces.
    public var cause: ScenarioCause
    /// What runs on loopback.
    public var topology: ScenarioTopology
    /// Faults of the fault proxy (needs `topology.path == .proxy`).
    public var proxyFaults: [ScenarioFault]
    /// Application faults of the lab backend.
    public var appFaults: [ScenarioFault]
    /// Changes while the probe runs (default none).
    public var timeline: [ScenarioTimelineStep]
    /// How the probe runs.
    public var probe: ScenarioProbeOptions
    /// The signature and verdict the run must produce.
    public var expected: ScenarioExpectation

    /// Creates a scenario; every collection defaults to empty.
    public init(
        id: String, title: String, cause: ScenarioCause, topology: ScenarioTopology = ScenarioTopology(),
        proxyFaults: [ScenarioFault] = [], appFaults: [ScenarioFault] = [], timeline: [ScenarioTimelineStep] = [],
        probe: ScenarioProbeOptions = ScenarioProbeOptions(),
        expected: ScenarioExpectation
    ) {
        self.id = id
        self.title = title
        self.cause = cause
        self.topology = topology
        self.proxyFaults = proxyFaults
        self.appFaults = appFaults
        self.timeline = timeline
        self.probe = probe
        self.expected = expected
    }

    enum CodingKeys: String, CodingKey, CaseIterable {
        case id, title, cause, topology, proxyFaults, appFaults, timeline, probe, expected
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        id = try c.decode(String.self, forKey: .id)
        title = try c.decode(String.self, forKey: .title)
        cause = try c.decode(ScenarioCause.self, forKey: .cause)
        topology = try c.decodeIfPresent(ScenarioTopology.self, forKey: .topology) ?? ScenarioTopology()
        proxyFaults = try c.decodeIfPresent([ScenarioFault].self, forKey: .proxyFaults) ?? []
        appFaults = try c.decodeIfPresent([ScenarioFault].self, forKey: .appFaults) ?? []
        timeline = try c.decodeIfPresent([ScenarioTimelineStep].self, forKey: .timeline) ?? []
        probe = try c.decodeIfPresent(ScenarioProbeOptions.self, forKey: .probe) ?? ScenarioProbeOptions()
        expected = try c.decode(ScenarioExpectation.self, forKey: .expected)
    }
}

/// The real-world cause a scenario reproduces.
public struct ScenarioCause: Codable, Sendable, Equatable {
    /// The cause in words (`nginx proxy_read_timeout (default 60 s)`).
    public var description: String
    /// The row of `docs/FAILURE_SIGNATURES.md` it reproduces (`infrastructure: nginx proxy_read_timeout`).
    public var reference: String

    /// Creates a cause description.
    public init(description: String, reference: String) {
        self.description = description
        self.reference = reference
    }

    enum CodingKeys: String, CodingKey, CaseIterable { case description, reference }
}
