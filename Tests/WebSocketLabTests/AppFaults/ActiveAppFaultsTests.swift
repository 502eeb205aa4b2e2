import Testing
import WebSocketLab

@Suite("Application faults: asked by capability, without sockets")
struct ActiveAppFaultsTests {
    private func active(_ specs: [String], at on: ContinuousClock.Instant = .now) throws -> ActiveAppFaults {
        ActiveAppFaults(
            try FaultRegistry.standard.makeApplicationFaults(specs.map { try FaultSpec(parsing: $0) }), activatedAt: on,
            base: AppFaultStub.base)
    }

    @Test func noFaultsLeaveTheConfiguredSettingsAndRefuseNothing() throws {
        let on = ContinuousClock.now
        let none = try active([], at: on)
        #expect(none.settings == AppFaultStub.base)
        #expect(none.upgradeRefusal(at: on) == nil)
        #expect(none.openAction(at: on) == nil)
        #expect(none.messageActions(.init(type: "ping", index: 1, typeIndex: 1)).isEmpty)
        #expect(none.isReady(at: on))
    }

    @Test func eachHookAsksOnlyTheFaultsWithThatCapabilityInOrder() throws {
        let faults = try active(["slow-handler:block=1s", "internal-error", "crash-mid-stream:after=1", "reject-upgrade:status=403"])
        #expect(
            faults.messageActions(.init(type: "ping", index: 1, typeIndex: 1)) == [
                .block(.seconds(1)), .close(code: 1011, reason: "Internal error"),
            ])
        #expect(faults.agentEventActions(index: 2) == [.close(code: 1011, reason: "Internal error")])
        #expect(faults.upgradeRefusal(at: .now)?.status == 403)
    }

    @Test func theFirstFaultListedWinsASettingAndTheLowestLimitHolds() throws {
        let faults = try active([
            "keepalive:interval=1s,timeout=1s", "keepalive:interval=5s,timeout=5s", "message-too-big:limit=512",
            "message-too-big:limit=2048",
            "secret-mismatch:secret=first", "secret-mismatch:secret=second", "no-subprotocol-echo",
        ])
        #expect(faults.settings.heartbeat == LabConfiguration.Heartbeat(interval: .seconds(1), timeout: .seconds(1)))
        #expect(faults.settings.messageLimit == 512)
        #expect(faults.settings.verificationSecret == "first")
        #expect(!faults.settings.echoesSubprotocol)
    }
}
