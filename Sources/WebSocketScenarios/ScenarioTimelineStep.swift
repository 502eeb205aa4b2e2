/// Something a scenario changes while the probe runs: `after` the probe's connections are open, switch the
/// lab's application faults to `appFaults` (e.g. `restart` to restart the backend under live connections)
/// and/or the proxy's faults to `proxyFaults` (e.g. `drain-instance` to scale in under live connections).
public struct ScenarioTimelineStep: Codable, Sendable, Equatable {
    /// Delay after the probe's connections are open on the backend — the front's and, with `probe.direct`,
    /// the direct one (or after the probe starts, when they do not open within twice the handshake bound).
    public var after: ScenarioDuration
    /// The application faults from then on (replacing the previous ones); `nil` leaves them as they are.
    public var appFaults: [ScenarioFault]?
    /// The proxy's faults from then on (replacing the previous ones); `nil` leaves them as they are.
    /// Only with `topology.path` `proxy`.
    public var proxyFaults: [ScenarioFault]?

    /// Creates a timeline step.
    public init(after: ScenarioDuration, appFaults: [ScenarioFault]? = nil, proxyFaults: [ScenarioFault]? = nil) {
        self.after = after
        self.appFaults = appFaults
        self.proxyFaults = proxyFaults
    }

    enum CodingKeys: String, CodingKey, CaseIterable { case after, appFaults, proxyFaults }
}
