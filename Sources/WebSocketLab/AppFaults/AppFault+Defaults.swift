extension AppFault {
    public func upgradeRefusal(at now: ContinuousClock.Instant) -> HTTPRefusal? { nil }
    public var echoesSubprotocol: Bool { true }
    public var verificationSecret: String? { nil }
    public func onOpen(at now: ContinuousClock.Instant) -> AppFaultAction? { nil }
    public func onMessage(_ message: AppFaultMessageContext) -> AppFaultAction? { nil }
    public func onAgentEvent(index: Int) -> AppFaultAction? { nil }
    public var messageLimit: Int? { nil }
    public var heartbeat: LabConfiguration.Heartbeat? { nil }
    public var restartOnActivation: RestartPlan? { nil }
}
