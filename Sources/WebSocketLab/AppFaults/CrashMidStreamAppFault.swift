import WebSocketWire

/// `crash-mid-stream[:after=2,mode=close|drop]`: an agent run crashes after `after` events: close 1011
/// "Internal error" (default) or a dropped socket with no close frame (`mode=drop`).
public struct CrashMidStreamAppFault: AgentRunAppFault {
    public static let descriptor = FaultDescriptor(
        name: "crash-mid-stream",
        summary: "agent run crashes after N events (after=2): close 1011 or mode=drop (no close frame)",
        parameters: [
            .init("after", "agent events delivered before the crash; default 2"),
            .init("mode", "close (1011) or drop (no close frame); default close"),
        ])

    /// Events delivered before the crash.
    public let after: Int
    /// `true` to drop the socket, `false` to close 1011.
    public let drops: Bool

    public init(spec: FaultSpec) throws(FaultSpecError) {
        try Self.validate(spec)
        after = try spec.int("after", default: 2, in: 0...10_000)
        switch try spec.string("mode", default: "close") {
        case "close": drops = false
        case "drop": drops = true
        case let other: throw FaultSpecError(spec: spec.description, message: "'mode' must be close or drop, got '\(other)'")
        }
    }

    public func onAgentEvent(index: Int) -> AppFaultAction? {
        guard index > after else { return nil }
        return drops ? .drop : .close(code: CloseCode.internalError.rawValue, reason: "Internal error")
    }
}
