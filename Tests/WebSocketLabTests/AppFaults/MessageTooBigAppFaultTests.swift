import Testing
import WebSocketLab

@Suite("message-too-big application fault")
struct MessageTooBigAppFaultTests {
    @Test func lowersTheMessageLimitButNeverRaisesIt() throws {
        var settings = AppFaultStub.base
        try AppFaultStub.make(MessageTooBigAppFault.self, "message-too-big:limit=256").adjust(&settings)
        #expect(settings.messageLimit == 256)
        var small = AppFaultStub.base
        small.messageLimit = 100
        try AppFaultStub.make(MessageTooBigAppFault.self, "message-too-big:limit=256").adjust(&small)
        #expect(small.messageLimit == 100)
        #expect { try AppFaultStub.make(MessageTooBigAppFault.self, "message-too-big:limit=0") } throws: {
            "\($0)".contains("'limit' must be between 1")
        }
    }
}
