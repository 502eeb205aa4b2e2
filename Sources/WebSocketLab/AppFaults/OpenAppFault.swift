/// An application fault that acts right after a WebSocket connection opened.
public protocol OpenAppFault: AppFault {
    /// What to do with a connection opened `activeFor` after the fault was switched on; nil carries on.
    func onOpen(activeFor: Duration) -> AppFaultAction?
}
