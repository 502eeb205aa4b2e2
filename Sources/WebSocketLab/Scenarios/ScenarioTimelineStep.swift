/// Something a scenario changes while the probe runs: `after` the probe starts, switch the lab's application
/// faults to `appFaults` (e.g. `restart` to restart the backend under live connections).
public struct ScenarioTimelineStep: Codable, Sendable, Equatable {
    /// Delay after the probe starts.
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
