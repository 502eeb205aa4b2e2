import Testing
import WebSocketLab

@Suite("not-ready application fault")
struct NotReadyAppFaultTests {
    @Test func closesAfterAcceptInsideTheWindowOnlyCountedFromActivation() throws {
        let fault = try AppFaultStub.make(NotReadyAppFault.self, "not-ready:for=300ms")
        #expect(fault.onOpen(activeFor: .milliseconds(299)) == .close(code: 1011, reason: "Service not ready"))
        #expect(fault.onOpen(activeFor: .milliseconds(300)) == nil)
        #expect(fault.upgradeRefusal(activeFor: .zero) == nil)
        #expect(!fault.isReady(activeFor: .milliseconds(10)))
        #expect(fault.isReady(activeFor: .seconds(1)))
    }

    @Test func inHTTPModeRefusesTheUpgradeWith503InsteadOfClosing() throws {
        let fault = try AppFaultStub.make(NotReadyAppFault.self, "not-ready:for=5s,mode=http")
        #expect(fault.upgradeRefusal(activeFor: .seconds(4))?.status == 503)
        #expect(fault.upgradeRefusal(activeFor: .seconds(5)) == nil)
        #expect(fault.onOpen(activeFor: .zero) == nil)
        #expect { try AppFaultStub.make(NotReadyAppFault.self, "not-ready:mode=maybe") } throws: { "\($0)".contains("close or http") }
    }

    @Test func theLabAsksTheWindowFromWhenTheFaultsWereSwitchedOn() throws {
        let on = ContinuousClock.now
        let active = ActiveAppFaults(
            [try AppFaultStub.make(NotReadyAppFault.self, "not-ready:for=1s")], activatedAt: on, base: AppFaultStub.base)
        #expect(!active.isReady(at: on + .milliseconds(999)))
        #expect(active.openAction(at: on + .milliseconds(999)) == .close(code: 1011, reason: "Service not ready"))
        #expect(active.isReady(at: on + .seconds(1)))
        #expect(active.openAction(at: on + .seconds(1)) == nil)
    }
}
