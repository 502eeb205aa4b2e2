/// `slow-handler[:block=2s,on=TYPE,every=N]`: a synchronous handler blocks the connection's event loop for
/// `block` (really: no pings, pongs or frames are served by that loop meanwhile).
public struct SlowHandlerAppFault: AppFault {
    public static let name = "slow-handler"
    public static let parameterNames: Set<String> = ["block", "on", "every"]
    public static let summary = "handler blocks the event loop for a while (block=2s, on=TYPE, every=N)"
    /// How long the loop is blocked.
    public let block: Duration
    /// When it fires.
    public let trigger: MessageTrigger

    public init(spec: FaultSpec) throws(FaultSpecError) {
        try spec.rejectUnknownParameters(Self.parameterNames)
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
