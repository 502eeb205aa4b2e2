/// `drop-on-error[:on=TYPE,every=N]`: the handler raises and the server drops the socket with no close
/// frame (uvicorn: "Exception in ASGI application"); the client sees 1006.
public struct DropOnErrorAppFault: MessageAppFault {
    public static let descriptor = FaultDescriptor(
        name: "drop-on-error",
        summary: "handler exception → socket dropped without a close frame (uvicorn) (on=TYPE, every=N)",
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
        trigger.fires(on: message) ? .drop : nil
    }
}
