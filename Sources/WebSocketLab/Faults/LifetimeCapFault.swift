/// `lifetime-cap`: closes TCP on both sides (no close frame) `after` the connect, whatever the
/// traffic — GCP load-balancer backend-service timeout (30 s), Cloud Run request timeout (300 s).
public struct LifetimeCapFault: ConnectionTimerFault {
    public static let descriptor = FaultDescriptor(
        name: "lifetime-cap", summary: "TCP close, no close frame, a fixed time after connect",
        parameters: [.init("after", "connection lifetime, e.g. 300s; required")])

    /// Connection lifetime, counted from the TCP accept.
    public var after: Duration

    public init(spec: FaultSpec) throws(FaultSpecError) {
        try Self.validate(spec)
        after = try spec.duration("after")
    }

    public func timers(direction: FaultDirection) -> [ConnectionTimer] {
        [ConnectionTimer(start: .connect, after: after, action: .closeTransport)]
    }
}
