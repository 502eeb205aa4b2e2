/// `slow-handler[:block=2s,on=TYPE,every=N]`: a synchronous handler blocks the connection's event loop for
/// `block` (really: no pings, pongs or frames are served by that loop meanwhile).
public struct SlowHandlerAppFault: MessageAppFault {
    public static let descriptor = FaultDescriptor(
        name: "slow-handler",
        summary: "handler blocks the event loop for a while (block=2s, on=TYPE, every=N)",
        parameters: [
            .init("block", "how long the event loop is blocked, at most 10m; default 2s"),
            .init("on", "message type that triggers it, * for any; default *"), .init("every", "every Nth matching message; default 1"),
        ])

    /// How long the loop is blocked.
    public let block: Duration
    /// When it fires.
    public let trigger: MessageTrigger

    public init(spec: FaultSpec) throws(FaultSpecError) {
        try Self.validate(spec)
        block = try spec.duration("block", default: .seconds(2))
        trigger = try MessageTrigger(spec: spec)
        guard block <= .seconds(600) else {
            throw FaultSpecError(spec: spec.description, message: "'block' must be at most 10m")
        }
    }

    public func onMessage(_ message: AppFaultMessageContext) -> AppFaultAction? {
        trigger.fires(on: message) ? .block(block) : nil
    }
}
