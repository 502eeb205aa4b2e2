/// `restart[:downtime=1s]`: a graceful restart when switched on: every connection gets close 1012
/// "Service restart" and new upgrades get HTTP 503 for `downtime` (uvicorn on SIGTERM, a deploy).
public struct RestartAppFault: ActivationAppFault {
    public static let descriptor = FaultDescriptor(
        name: "restart",
        summary: "graceful restart: close 1012 to every connection, HTTP 503 to new upgrades (downtime=1s)",
        parameters: [.init("downtime", "how long new upgrades get 503; default 1s")])

    /// How long new upgrades are refused.
    public let plan: RestartPlan

    public init(spec: FaultSpec) throws(FaultSpecError) {
        try Self.validate(spec)
        plan = RestartPlan(downtime: try spec.duration("downtime", default: .seconds(1)))
    }

    public func onActivation() -> RestartPlan? { plan }
}
