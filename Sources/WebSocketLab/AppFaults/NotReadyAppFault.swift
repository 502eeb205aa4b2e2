import WebSocketWire

/// `not-ready[:for=3s,mode=close|http]`: during a start-up window after the fault is switched on (at launch,
/// when given at start) connections are closed 1011 "Service not ready" right after accept (`mode=close`,
/// default) or upgrades get HTTP 503 (`mode=http`).
public struct NotReadyAppFault: UpgradeAppFault, OpenAppFault, ReadinessAppFault {
    public static let descriptor = FaultDescriptor(
        name: "not-ready",
        summary: "1011 \"Service not ready\" (or HTTP 503 with mode=http) during a window after start (for=3s)",
        parameters: [
            .init("for", "length of the window after switching on; default 3s"),
            .init("mode", "close (1011 after accept) or http (503); default close"),
        ])

    /// Length of the window.
    public let window: Duration
    /// `true` for HTTP 503 before accept, `false` for close 1011 after accept.
    public let refusesUpgrade: Bool

    public init(spec: FaultSpec) throws(FaultSpecError) {
        try Self.validate(spec)
        window = try spec.duration("for", default: .seconds(3))
        switch try spec.string("mode", default: "close") {
        case "close": refusesUpgrade = false
        case "http", "503": refusesUpgrade = true
        case let other: throw FaultSpecError(spec: spec.description, message: "'mode' must be close or http, got '\(other)'")
        }
    }

    /// Whether `activeFor` after switching on falls in the not-ready window.
    public func isNotReady(activeFor: Duration) -> Bool { activeFor < window }

    public func isReady(activeFor: Duration) -> Bool { !isNotReady(activeFor: activeFor) }

    public func upgradeRefusal(activeFor: Duration) -> HTTPRefusal? {
        guard refusesUpgrade, isNotReady(activeFor: activeFor) else { return nil }
        return .json(status: 503, ["error": "service_not_ready", "message": "Service not ready: still starting up"])
    }

    public func onOpen(activeFor: Duration) -> AppFaultAction? {
        guard !refusesUpgrade, isNotReady(activeFor: activeFor) else { return nil }
        return .close(code: CloseCode.internalError.rawValue, reason: "Service not ready")
    }
}
