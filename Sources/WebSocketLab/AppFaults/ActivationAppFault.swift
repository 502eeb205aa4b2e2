/// An application fault that acts once, when it is switched on.
public protocol ActivationAppFault: AppFault {
    /// A restart to carry out now; nil for none.
    func onActivation() -> RestartPlan?
}
