import Testing
import WebSocketLab

@Suite("drop-on-error application fault")
struct DropOnErrorAppFaultTests {
    @Test func dropsTheSocketOnTheTriggeringMessage() throws {
        let fault = try AppFaultStub.make(DropOnErrorAppFault.self, "drop-on-error:on=user_message")
        #expect(fault.onMessage(.init(type: "ping", index: 1, typeIndex: 1)) == nil)
        #expect(fault.onMessage(.init(type: "user_message", index: 2, typeIndex: 1)) == .drop)
        #expect(
            try AppFaultStub.make(DropOnErrorAppFault.self, "drop-on-error").onMessage(.init(type: "x", index: 1, typeIndex: 1)) == .drop)
    }
}
