import Foundation
import Testing
import WebSocketDiagnosis
import WebSocketProbe

@testable import WebSocketLab

@Suite("reload fault")
struct ReloadFaultTests {
    @Test func everyOpenConnectionIsCutAtOnceAfterTheGraceAndNewOnesAreServed() async throws {
        let h = try await ProxyHarness.start(instances: 2)
        var clients: [WebSocketConnection] = []
        for _ in 0..<4 { clients.append(try await h.connect()) }
        for c in clients { #expect(await c.isOpen) }
        let installed = ContinuousClock.now
        try h.proxy.addFault(FaultSpec(parsing: "reload:after=400ms"))
        var ends: [CloseObservation] = []
        for c in clients { if let end = await c.waitForEnd(timeout: .seconds(10)) { ends.append(end) } }
        let waited = ContinuousClock.now - installed
        try #require(ends.count == 4, "every connection of both instances is cut")
        #expect(waited >= .milliseconds(400), "not before the grace")
        for end in ends {
            #expect(end.received == nil, "no close frame: a bare end")
            #expect(end.effectiveCode == 1006)
        }
        // Cut at one instant: the ends, on the wall clock, are close together (generous for a busy machine).
        var endDates: [Double] = []
        for c in clients {
            let t = await c.transcript()
            if let started = t.startedAt, let at = t.close.atMs { endDates.append(started.timeIntervalSince1970 * 1000 + at) }
        }
        try #require(endDates.count == 4)
        #expect(endDates.max()! - endDates.min()! < 300, "ends \(endDates)")
        let new = try await h.connect()
        #expect(await new.isOpen, "the reloaded proxy serves new connections")
        #expect(await new.ping(timeout: .seconds(3)) != nil)
        await new.close()
        await h.stop()
    }

    @Test func mode1001ClosesWithGoingAway() async throws {
        let h = try await ProxyHarness.start()
        let a = try await h.connect()
        try h.proxy.addFault(FaultSpec(parsing: "reload:mode=1001"))
        let end = try #require(await a.waitForEnd(timeout: .seconds(5)))
        #expect(end.received?.code == 1001)
        await h.stop()
    }

    @Test func aBadModeIsRefusedNamingTheChoices() throws {
        #expect(throws: FaultSpecError.self) { try FaultRegistry.standard.make(FaultSpec(parsing: "reload:mode=kill")) }
        let fault = try #require(try FaultRegistry.standard.make(FaultSpec(parsing: "reload:after=240s")).first?.fault as? ReloadFault)
        #expect(fault.after == .seconds(240))
        #expect(fault.mode == .fin)
    }

    // MARK: - Without sockets

    @Test func theProxyReadsTheGraceAndModeThroughTheReloadCapability() throws {
        let fault = try #require(try FaultStub("reload:after=2s,mode=1001").fault(as: (any ProxyReloadFault).self))
        #expect(fault.reloadAfter == .seconds(2))
        #expect(fault.reloadMode == .goingAway)
        #expect(try FaultStub("reload").fault(as: (any ProxyReloadFault).self)?.reloadAfter == .zero)
    }
}
