/// An application fault that acts when a JSON message arrives, before the backend handles it.
public protocol MessageAppFault: AppFault {
    /// What to do about `message`; nil carries on.
    func onMessage(_ message: AppFaultMessageContext) -> AppFaultAction?
}
