import Testing
import WebSocketLab

@Suite("slow-handler application fault")
struct SlowHandlerAppFaultTests {
    @Test func blocksTheLoopOnTheTriggeringMessage() throws {
        let fault = try AppFaultStub.make(SlowHandlerAppFault.self, "slow-handler:block=700ms,on=user_message")
        #expect(fault.onMessage(.init(type: "user_message", index: 1, typeIndex: 1)) == .block(.milliseconds(700)))
        #expect(fault.onMessage(.init(type: "ping", index: 2, typeIndex: 1)) == nil)
        #expect { try AppFaultStub.make(SlowHandlerAppFault.self, "slow-handler:block=11m") } throws: { "\($0)".contains("at most 10m") }
    }
}
