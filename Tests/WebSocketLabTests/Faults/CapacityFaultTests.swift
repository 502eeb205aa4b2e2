import Testing
import WebSocketProbe

@testable import WebSocketLab

@Suite("capacity fault")
struct CapacityFaultTests {
    @Test func upgradesAboveTheLimitGet429() async throws {
        let h = try await ProxyHarness.start(faults: ["capacity:max=1"])
        let first = try await h.connect()
        #expect(await first.isOpen)
        let second = try await h.connect()
        #expect(await second.isOpen == false)
        #expect(await second.transcript().handshake?.status == 429)
        await first.close()
        try await Task.sleep(for: .milliseconds(100))
        let third = try await h.connect()
        #expect(await third.isOpen)
        await third.close()
        await h.stop()
    }

    // MARK: - Without sockets

    @Test func upgradesAboveMaxGet429() throws {
        let stub = try FaultStub("capacity:max=2")
        #expect(stub.request(openWebSockets: 1).0 == .forward)
        #expect(stub.request(openWebSockets: 2).0 == .respond(status: 429, body: "Rate exceeded."))
        #expect(stub.request(FaultStub.request(upgrade: false), openWebSockets: 5).0 == .forward)
    }
}
