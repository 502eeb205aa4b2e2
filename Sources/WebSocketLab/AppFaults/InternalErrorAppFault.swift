/// `internal-error[:on=TYPE,every=N]`: the handler raises and a catch-all closes 1011 "Internal error".
public struct InternalErrorAppFault: AppFault {
    public static let name = "internal-error"
    public static let parameterNames: Set<String> = ["on", "every"]
    public static let summary = "handler exception caught → close 1011 \"Internal error\" (on=TYPE, every=N)"
    /// When it fires.
    public let trigger: MessageTrigger

    public init(spec: FaultSpec) throws(FaultSpecError) {
        try spec.rejectUnknownParameters(Self.parameterNames)
        trigger = try MessageTrigger(spec: spec)
    }

    public func onMessage(_ message: AppFaultMessageContext) -> AppFaultAction? {
        trigger.fires(on: message) ? .close(code: 1011, reason: "Internal error") : nil
    }
}
