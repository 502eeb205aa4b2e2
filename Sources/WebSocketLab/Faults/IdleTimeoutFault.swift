/// `idle-timeout`: closes TCP on both sides (no close frame) after `after` with no data — nginx
/// `proxy_read_timeout`, HAProxy `timeout tunnel`, AWS ALB / Heroku / Cloudflare idle timeouts.
///
/// The direction says which traffic counts as activity: `both` (HAProxy, ALB), or `downstream`
/// only (nginx: data from the backend). Pings and pongs are data: they keep the connection alive.
public struct IdleTimeoutFault: ConnectionTimerFault {
    public static let descriptor = FaultDescriptor(
        name: "idle-timeout", summary: "TCP close, no close frame, after a time with no data",
        parameters: [.init("after", "silence before the close, e.g. 60s; required")])

    /// Silence before the close.
    public var after: Duration

    public init(spec: FaultSpec) throws(FaultSpecError) {
        try Self.validate(spec)
        after = try spec.duration("after")
    }

    public func timers(direction: FaultDirection) -> [ConnectionTimer] {
        [ConnectionTimer(start: .idle(direction), after: after, action: .closeTransport)]
    }
}
