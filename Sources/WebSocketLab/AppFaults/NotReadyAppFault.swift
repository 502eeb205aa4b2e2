/// `not-ready[:for=3s,mode=close|http]`: during a start-up window after the fault is switched on (at launch,
/// when given at start) connections are closed 1011 "Service not ready" right after accept (`mode=close`,
/// default) or upgrades get HTTP 503 (`mode=http`).
public struct NotReadyAppFault: AppFault {
    public static let name = "not-ready"
    public static let parameterNames: Set<String> = ["for", "mode"]
    public static let summary = "1011 \"Service not ready\" (or HTTP 503 with mode=http) during a window after start (for=3s)"
    /// Length of the window.
    public let window: Duration
    /// `true` for HTTP 503 before accept, `false` for close 1011 after accept.
    public let refusesUpgrade: Bool
    /// When the window started.
    public let activatedAt: ContinuousClock.Instant

    public init(spec: FaultSpec) throws(FaultSpecError) {
        try spec.rejectUnknownParameters(Self.parameterNames)
        window = try spec.duration("for", default: .seconds(3))
        switch try spec.string("mode", default: "close") {
        case "close": refusesUpgrade = false
        case "http", "503": refusesUpgrade = true
        case let other: throw FaultSpecError(spec: spec.description, message: "'mode' must be close or http, got '\(other)'")
        }
        activatedAt = .now
    }

    /// Whether `now` falls in the not-ready window.
    public func isNotReady(at now: ContinuousClock.Instant) -> Bool { now - activatedAt < window }

    public func upgradeRefusal(at now: ContinuousClock.Instant) -> HTTPRefusal? {
        guard refusesUpgrade, isNotReady(at: now) else { return nil }
        return .json(status: 503, ["error": "service_not_ready", "message": "Service not ready: still starting up"])
    }

    public func onOpen(at now: ContinuousClock.Instant) -> AppFaultAction? {
        guard !refusesUpgrade, isNotReady(at: now) else { return nil }
        return .close(code: 1011, reason: "Service not ready")
    }
}
