import Testing
import WebSocketLab

@Suite("keepalive application fault")
struct KeepaliveAppFaultTests {
    @Test func replacesTheKeepaliveWithItsIntervalAndTimeout() throws {
        var settings = AppFaultStub.base
        try AppFaultStub.make(KeepaliveAppFault.self, "keepalive:interval=300ms,timeout=2s").adjust(&settings)
        #expect(settings.heartbeat == LabConfiguration.Heartbeat(interval: .milliseconds(300), timeout: .seconds(2)))
        #expect { try AppFaultStub.make(KeepaliveAppFault.self, "keepalive:interval=0s") } throws: { "\($0)".contains("above zero") }
        #expect { try AppFaultStub.make(KeepaliveAppFault.self, "keepalive:intervall=1s") } throws: {
            "\($0)".contains("valid: interval, timeout")
        }
    }
}
