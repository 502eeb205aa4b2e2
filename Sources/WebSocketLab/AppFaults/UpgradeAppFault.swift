/// An application fault that refuses WebSocket upgrades the backend would otherwise accept.
public protocol UpgradeAppFault: AppFault {
    /// The HTTP refusal for an upgrade arriving `activeFor` after the fault was switched on; nil lets it through.
    func upgradeRefusal(activeFor: Duration) -> HTTPRefusal?
}
