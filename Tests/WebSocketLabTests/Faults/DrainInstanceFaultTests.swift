import Testing
import WebSocketDiagnosis
import WebSocketProbe

@testable import WebSocketLab

@Suite("drain-instance fault")
struct DrainInstanceFaultTests {
    @Test func scaleInWith1001EndsOnlyThatInstancesConnections() async throws {
        let h = try await ProxyHarness.start(instances: 2)
        let a = try await h.connect()
        let b = try await h.connect()
        #expect(await a.transcript().handshake?.headers.first(named: "X-Echo-Instance") == "echo-0")
        try h.proxy.addFault(FaultSpec(parsing: "drain-instance:instance=0,mode=1001"))
        guard case .closed(let observed) = await a.receive(timeout: .seconds(2)) else {
            Issue.record("instance 0's connection should have been drained")
            return
        }
        #expect(observed.received?.code == 1001)
        #expect(await b.isOpen)
        // New connections avoid the drained instance.
        let c = try await h.connect()
        #expect(await c.transcript().handshake?.headers.first(named: "X-Echo-Instance") == "echo-1")
        await b.close()
        await c.close()
        await h.stop()
    }

    @Test func killedInstanceEndsWithoutCloseFrame() async throws {
        let h = try await ProxyHarness.start(instances: 1)
        let a = try await h.connect()
        await h.proxy.drain(instance: 0, mode: .fin)
        let observed = try #require(await a.waitForEnd(timeout: .seconds(2)))
        #expect(observed.received == nil)
        #expect(observed.effectiveCode == 1006)
        await h.stop()
    }

    // MARK: - Without sockets

    @Test func namesTheInstanceTheModeAndTheDelay() throws {
        let fault = try #require(try FaultStub("drain-instance:instance=1,mode=1001,after=2s").fault(as: (any InstanceFault).self))
        #expect(fault.instance == 1)
        #expect(fault.drainMode == .goingAway)
        #expect(fault.drainAfter == .seconds(2))
        let defaults = try #require(try FaultStub("drain-instance").fault(as: (any InstanceFault).self))
        #expect(defaults.instance == 0 && defaults.drainMode == .fin && defaults.drainAfter == .zero)
    }
}
