import WebSocketWire

/// `internal-error[:on=TYPE,every=N]`: the handler raises and a catch-all closes 1011 "Internal error".
public struct InternalErrorAppFault: MessageAppFault {
    public static let descriptor = FaultDescriptor(
        name: "internal-error",
        summary: "handler exception caught → close 1011 \"Internal error\" (on=TYPE, every=N)",
        parameters: [
            .init("on", "message type that triggers it, * for any; default *"), .init("every", "every Nth matching message; default 1"),
        ])

    /// When it fires.
    public let trigger: MessageTrigger

    public init(spec: FaultSpec) throws(FaultSpecError) {
        try Self.validate(spec)
        trigger = try MessageTrigger(spec: spec)
    }

    public func onMessage(_ message: AppFaultMessageContext) -> AppFaultAction? {
        trigger.fires(on: message) ? .close(code: CloseCode.internalError.rawValue, reason: "Internal error") : nil
    }
}
