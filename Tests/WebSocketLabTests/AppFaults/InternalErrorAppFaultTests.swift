import Testing
import WebSocketLab

@Suite("internal-error application fault")
struct InternalErrorAppFaultTests {
    @Test func closes1011InternalErrorOnEveryNthMatchingMessage() throws {
        let fault = try AppFaultStub.make(InternalErrorAppFault.self, "internal-error:on=user_message,every=2")
        #expect(fault.onMessage(.init(type: "user_message", index: 1, typeIndex: 1)) == nil)
        #expect(fault.onMessage(.init(type: "user_message", index: 3, typeIndex: 2)) == .close(code: 1011, reason: "Internal error"))
        #expect(fault.onMessage(.init(type: "ping", index: 4, typeIndex: 2)) == nil)
        #expect { try AppFaultStub.make(InternalErrorAppFault.self, "internal-error:every=0") } throws: {
            "\($0)".contains("'every' must be between 1")
        }
    }
}
