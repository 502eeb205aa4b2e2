/// `drop-on-error[:on=TYPE,every=N]`: the handler raises and the server drops the socket with no close
/// frame (uvicorn: "Exception in ASGI application"); the client sees 1006.
public struct DropOnErrorAppFault: AppFault {
    public static let name = "drop-on-error"
    public static let parameterNames: Set<String> = ["on", "every"]
    public static let summary = "handler exception → socket dropped without a close frame (uvicorn) (on=TYPE, every=N)"
    /// When it fires.
    public let trigger: MessageTrigger

    public init(spec: FaultSpec) throws(FaultSpecError) {
        try spec.rejectUnknownParameters(Self.parameterNames)
        trigger = try MessageTrigger(spec: spec)
    }

    public func onMessage(_ message: AppFaultMessageContext) -> AppFaultAction? {
        trigger.fires(on: message) ? .drop : nil
    }
}
