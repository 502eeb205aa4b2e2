/// The application faults switched on together, sorted by capability once, and the answers the backend asks
/// them for. A value without I/O or clocks: every question takes the time it is asked at.
///
/// Faults are asked in the order given; where two change the same setting, the first one listed wins (the
/// message limit takes the lowest).
public struct ActiveAppFaults: Sendable {
    /// The faults, in the order given.
    public let faults: [any AppFault]
    /// When they were switched on.
    public let activatedAt: ContinuousClock.Instant
    /// The backend settings with every ``BackendSettingsAppFault`` applied.
    public let settings: AppBackendSettings

    private let upgrade: [any UpgradeAppFault]
    private let open: [any OpenAppFault]
    private let message: [any MessageAppFault]
    private let agentRun: [any AgentRunAppFault]
    private let readiness: [any ReadinessAppFault]
    private let activation: [any ActivationAppFault]

    /// Sorts `faults` by what they do.
    /// - Parameters:
    ///   - activatedAt: when they are switched on (time-dependent faults count from it).
    ///   - base: the settings before any fault (``AppBackendSettings/init(_:)`` of the lab's configuration).
    public init(_ faults: [any AppFault], activatedAt: ContinuousClock.Instant, base: AppBackendSettings) {
        self.faults = faults
        self.activatedAt = activatedAt
        upgrade = faults.compactMap { $0 as? any UpgradeAppFault }
        open = faults.compactMap { $0 as? any OpenAppFault }
        message = faults.compactMap { $0 as? any MessageAppFault }
        agentRun = faults.compactMap { $0 as? any AgentRunAppFault }
        readiness = faults.compactMap { $0 as? any ReadinessAppFault }
        activation = faults.compactMap { $0 as? any ActivationAppFault }
        var settings = base
        // Last to first, so the first fault listed has the last word.
        for case let fault as any BackendSettingsAppFault in faults.reversed() { fault.adjust(&settings) }
        self.settings = settings
    }

    /// No faults.
    public static func none(base: AppBackendSettings, at now: ContinuousClock.Instant) -> ActiveAppFaults {
        ActiveAppFaults([], activatedAt: now, base: base)
    }

    /// The first refusal for an upgrade arriving at `now`.
    public func upgradeRefusal(at now: ContinuousClock.Instant) -> HTTPRefusal? {
        let activeFor = now - activatedAt
        for fault in upgrade { if let refusal = fault.upgradeRefusal(activeFor: activeFor) { return refusal } }
        return nil
    }

    /// The first action for a connection opened at `now`.
    public func openAction(at now: ContinuousClock.Instant) -> AppFaultAction? {
        let activeFor = now - activatedAt
        for fault in open { if let action = fault.onOpen(activeFor: activeFor) { return action } }
        return nil
    }

    /// Every action `message` sets off, in order (the connection stops carrying them out once it closed).
    public func messageActions(_ message: AppFaultMessageContext) -> [AppFaultAction] {
        self.message.compactMap { $0.onMessage(message) }
    }

    /// Every action before agent event `index` (1-based), in order.
    public func agentEventActions(index: Int) -> [AppFaultAction] {
        agentRun.compactMap { $0.onAgentEvent(index: index) }
    }

    /// Whether the backend is ready at `now`.
    public func isReady(at now: ContinuousClock.Instant) -> Bool {
        let activeFor = now - activatedAt
        return readiness.allSatisfy { $0.isReady(activeFor: activeFor) }
    }

    /// The restart to carry out on switching these faults on: the first one asked for.
    public var restartOnActivation: RestartPlan? {
        activation.lazy.compactMap { $0.onActivation() }.first
    }
}
