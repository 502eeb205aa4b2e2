/// `reset-peer`: resets TCP on both sides (RST) `after` the 101 — a crashed middlebox or a NAT
/// that forgot the flow.
public struct ResetPeerFault: ConnectionTimerFault {
    public static let descriptor = FaultDescriptor(
        name: "reset-peer", summary: "reset both TCP connections (RST) a time after the upgrade",
        parameters: [.init("after", "time after the 101; default 0s")])

    /// Time after the 101.
    public var after: Duration

    public init(spec: FaultSpec) throws(FaultSpecError) {
        try Self.validate(spec)
        after = try spec.duration("after", default: .zero)
    }

    public func timers(direction: FaultDirection) -> [ConnectionTimer] {
        [ConnectionTimer(start: .upgrade, after: after, action: .reset)]
    }
}
