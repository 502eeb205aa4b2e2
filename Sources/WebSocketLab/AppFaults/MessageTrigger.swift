/// Which messages set off a message-triggered fault: `on=TYPE` (default `*`, any message) and `every=N`
/// (default 1: every matching message; 3 = the 3rd, 6th, … matching message).
public struct MessageTrigger: Sendable, Equatable {
    /// Message type, or `*` for any.
    public var type: String
    /// Period among matching messages.
    public var every: Int

    /// Reads `on` and `every` from `spec`.
    public init(spec: FaultSpec) throws(FaultSpecError) {
        type = try spec.string("on", default: "*")
        every = try spec.int("every", default: 1, in: 1...1_000_000)
    }

    /// Whether `message` sets the fault off.
    public func fires(on message: AppFaultMessageContext) -> Bool {
        if type == "*" { return message.index % every == 0 }
        return message.type == type && message.typeIndex % every == 0
    }
}
