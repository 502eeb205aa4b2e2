import Testing
import WebSocketLab
import WebSocketProbe

/// A fault a library user writes: not in ws1011, registered at run time.
struct GoAwayOnOpenAppFault: OpenAppFault {
    static let descriptor = FaultDescriptor(
        name: "go-away-on-open", summary: "close every new connection with a chosen code",
        parameters: [.init("code", "close code; default 4000")])

    let code: Int

    init(spec: FaultSpec) throws(FaultSpecError) {
        try Self.validate(spec)
        code = try spec.int("code", default: 4000, in: 1000...4999)
    }

    func onOpen(activeFor: Duration) -> AppFaultAction? { .close(code: code, reason: "custom fault") }
}

@Suite("Application faults: a library user registers one of their own")
struct CustomAppFaultRegistrationTests {
    private var registry: FaultRegistry {
        var registry = FaultRegistry.standard
        registry.register(GoAwayOnOpenAppFault.self)
        return registry
    }

    @Test func aRegisteredFaultIsBuiltListedAndCheckedLikeABuiltInOne() throws {
        #expect(FaultRegistry.standard.applicationFaultNames.count == 11)
        #expect(!FaultRegistry.standard.applicationFaultNames.contains("go-away-on-open"))
        #expect(registry.applicationFaultNames.last == "go-away-on-open")
        #expect(registry.applicationCatalog.contains { $0.hasPrefix("go-away-on-open:code=… — close every new connection") })
        let fault = try registry.makeApplicationFault(FaultSpec(parsing: "go-away-on-open:code=4001"))
        #expect((fault as? any OpenAppFault)?.onOpen(activeFor: .zero) == .close(code: 4001, reason: "custom fault"))
        #expect { try registry.makeApplicationFault(FaultSpec(parsing: "go-away-on-open:cod=1")) } throws: {
            "\($0)".contains("go-away-on-open") && "\($0)".contains("cod") && "\($0)".contains("valid: code")
        }
        #expect(throws: FaultSpecError.self) { try FaultRegistry.standard.makeApplicationFault(FaultSpec(parsing: "go-away-on-open")) }
    }

    @Test func theLabRunsARegisteredFaultAtStartAndAtRunTime() async throws {
        let lab = try await LabServer.start(try testConfiguration(["go-away-on-open:code=4001"]), registry: registry)
        let (first, welcome) = try await connectUser(lab)
        #expect(welcome == nil)
        #expect(await first.waitForEnd(timeout: .seconds(5))?.received?.code == 4001)
        try lab.setAppFaults([FaultSpec(parsing: "go-away-on-open:code=4002")])
        let (second, _) = try await connectUser(lab)
        #expect(await second.waitForEnd(timeout: .seconds(5))?.received?.code == 4002)
        try lab.setAppFaults([])
        let (third, thirdWelcome) = try await connectUser(lab)
        #expect(thirdWelcome?.type == "connection_established")
        await third.close()
        await lab.shutdown()
    }
}
