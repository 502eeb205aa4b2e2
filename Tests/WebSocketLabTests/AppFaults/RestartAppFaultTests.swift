import Testing
import WebSocketLab

@Suite("restart application fault")
struct RestartAppFaultTests {
    @Test func asksForARestartWithTheDowntimeWhenSwitchedOn() throws {
        let fault = try AppFaultStub.make(RestartAppFault.self, "restart:downtime=300ms")
        #expect(fault.onActivation() == RestartPlan(downtime: .milliseconds(300)))
        let active = ActiveAppFaults([fault], activatedAt: .now, base: AppFaultStub.base)
        #expect(active.restartOnActivation == RestartPlan(downtime: .milliseconds(300)))
        #expect(ActiveAppFaults([], activatedAt: .now, base: AppFaultStub.base).restartOnActivation == nil)
    }
}
