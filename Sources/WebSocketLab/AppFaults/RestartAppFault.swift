/// `restart[:downtime=1s]`: a graceful restart when switched on: every connection gets close 1012
/// "Service restart" and new upgrades get HTTP 503 for `downtime` (uvicorn on SIGTERM, a deploy).
public struct RestartAppFault: AppFault {
    public static let name = "restart"
    public static let parameterNames: Set<String> = ["downtime"]
    public static let summary = "graceful restart: close 1012 to every connection, HTTP 503 to new upgrades (downtime=1s)"
    /// How long new upgrades are refused.
    public let plan: RestartPlan

    public init(spec: FaultSpec) throws(FaultSpecError) {
        try spec.rejectUnknownParameters(Self.parameterNames)
        plan = RestartPlan(downtime: try spec.duration("downtime", default: .seconds(1)))
    }

    public var restartOnActivation: RestartPlan? { plan }
}
