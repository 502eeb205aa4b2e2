/// Something a scenario changes while the probe runs: `after` the probe starts, switch the lab's application
/// faults to `appFaults` (e.g. `restart` to restart the backend under live connections).
public struct ScenarioTimelineStep: Codable, Sendable, Equatable {
    /// Delay after the probe's first connection is open on the backend (or after the probe starts, when none
    /// opens within twice the handshake bound).
    public var after: ScenarioDuration
    /// The application faults from then on (replacing the previous ones).
    public var appFaults: [ScenarioFault]

    /// Creates a timeline step.
    public init(after: ScenarioDuration, appFaults: [ScenarioFault]) {
        self.after = after
        self.appFaults = appFaults
    }

    enum CodingKeys: String, CodingKey, CaseIterable { case after, appFaults }
}
