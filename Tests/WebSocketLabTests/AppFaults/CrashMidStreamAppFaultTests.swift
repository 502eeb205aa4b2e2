import Testing
import WebSocketLab

@Suite("crash-mid-stream application fault")
struct CrashMidStreamAppFaultTests {
    @Test func theRunCrashesAfterNEventsByCloseOrDrop() throws {
        let close = try AppFaultStub.make(CrashMidStreamAppFault.self, "crash-mid-stream:after=2")
        #expect(close.onAgentEvent(index: 2) == nil)
        #expect(close.onAgentEvent(index: 3) == .close(code: 1011, reason: "Internal error"))
        #expect(try AppFaultStub.make(CrashMidStreamAppFault.self, "crash-mid-stream:after=0,mode=drop").onAgentEvent(index: 1) == .drop)
        #expect { try AppFaultStub.make(CrashMidStreamAppFault.self, "crash-mid-stream:mode=boom") } throws: {
            "\($0)".contains("close or drop")
        }
    }
}
