/// An application fault that acts during an agent run, before an event is sent.
public protocol AgentRunAppFault: AppFault {
    /// What to do before agent event number `index` (1-based within a run) is sent; nil sends it.
    func onAgentEvent(index: Int) -> AppFaultAction?
}
