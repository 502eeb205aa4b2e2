/// An application fault that changes how the backend is set up while it is on: the subprotocol echo, the
/// secret tokens are verified with, the inbound message limit, the keepalive.
public protocol BackendSettingsAppFault: AppFault {
    /// Changes `settings` in place (they start from the lab's configuration).
    func adjust(_ settings: inout AppBackendSettings)
}
