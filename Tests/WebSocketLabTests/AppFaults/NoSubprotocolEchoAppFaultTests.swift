import Testing
import WebSocketLab

@Suite("no-subprotocol-echo application fault")
struct NoSubprotocolEchoAppFaultTests {
    @Test func turnsTheSubprotocolEchoOff() throws {
        var settings = AppFaultStub.base
        #expect(settings.echoesSubprotocol)
        try AppFaultStub.make(NoSubprotocolEchoAppFault.self, "no-subprotocol-echo").adjust(&settings)
        #expect(!settings.echoesSubprotocol)
        #expect { try AppFaultStub.make(NoSubprotocolEchoAppFault.self, "no-subprotocol-echo:x=1") } throws: {
            "\($0)".contains("takes no parameters")
        }
    }
}
