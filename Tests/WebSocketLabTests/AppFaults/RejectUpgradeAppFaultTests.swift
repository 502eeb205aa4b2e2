import Testing
import WebSocketLab

@Suite("reject-upgrade application fault")
struct RejectUpgradeAppFaultTests {
    @Test func refusesEveryUpgradeWithTheStatus() throws {
        let fault = try AppFaultStub.make(RejectUpgradeAppFault.self, "reject-upgrade")
        #expect(fault.upgradeRefusal(activeFor: .zero)?.status == 500)
        #expect(fault.upgradeRefusal(activeFor: .seconds(3600))?.status == 500)
        #expect(
            try AppFaultStub.make(RejectUpgradeAppFault.self, "reject-upgrade:status=429").upgradeRefusal(activeFor: .zero)?.status == 429)
        #expect { try AppFaultStub.make(RejectUpgradeAppFault.self, "reject-upgrade:status=200") } throws: {
            "\($0)".contains("between 400 and 599")
        }
    }
}
