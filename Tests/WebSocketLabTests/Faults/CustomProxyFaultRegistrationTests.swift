import Testing
import WebSocketDiagnosis
import WebSocketProbe

@testable import WebSocketLab

/// A proxy fault a library user writes: answers upgrades with 418 unless a header is present.
struct TeapotFault: HandshakeFault {
    static let descriptor = FaultDescriptor(
        name: "teapot", summary: "answer upgrades without a pass header with 418",
        parameters: [.init("pass", "header that lets an upgrade through; default X-Pass")], defaultDirection: .upstream)

    let pass: String

    init(spec: FaultSpec) throws(FaultSpecError) {
        try Self.validate(spec)
        pass = try spec.string("pass", default: "X-Pass")
    }

    func request(_ head: inout ProxyRequestHead, context: HandshakeContext) -> HandshakeAction {
        context.isUpgrade && head.headers.first(pass) == nil ? .respond(status: 418, body: "I'm a teapot") : .forward
    }
}

@Suite("Fault registry: a library user registers a proxy fault of their own")
struct CustomProxyFaultRegistrationTests {
    private var registry: FaultRegistry {
        var registry = FaultRegistry.standard
        registry.register(TeapotFault.self)
        return registry
    }

    @Test func aRegisteredFaultTakesTheSharedParametersAndIsListed() throws {
        #expect(registry.catalog.contains { $0.hasPrefix("teapot:pass=…") })
        let built = try registry.make(parsing: "teapot:probability=0.5,direction=both")
        #expect(built.first?.probability == 0.5)
        #expect(built.first?.direction == .both)
        #expect(try registry.make(parsing: "teapot").first?.direction == .upstream)
        #expect { try registry.make(parsing: "teapot:passs=X") } throws: {
            "\($0)".contains("valid: pass") && "\($0)".contains("direction, probability")
        }
        #expect(throws: FaultSpecError.self) { _ = try FaultRegistry.standard.make(parsing: "teapot") }
    }

    @Test func theProxyRunsARegisteredFaultFromItsConfigurationAndAtRunTime() async throws {
        let echo = try await EchoServer.start(configuration: .init(name: "echo"))
        let proxy = try await FaultProxy.start(
            ProxyConfiguration(upstreams: [ProxyUpstream(host: "127.0.0.1", port: echo.port)], faults: [FaultSpec(parsing: "teapot")]),
            registry: registry)
        let h = ProxyHarness(echoes: [echo], proxy: proxy)
        #expect(try await h.connect().transcript().handshake?.status == 418)
        let passing = try await h.connect { $0.headers = [HeaderField("X-Pass", "1")] }
        #expect(await passing.isOpen)
        await passing.close()
        proxy.resetFaults()
        try proxy.addFault(FaultSpec(parsing: "teapot:pass=X-Other"))
        #expect(try await h.connect { $0.headers = [HeaderField("X-Pass", "1")] }.transcript().handshake?.status == 418)
        await h.stop()
    }
}
