import Foundation
import Testing
import WebSocketDiagnosis
import WebSocketLab

@testable import WebSocketProbe

/// `ProbeOptions`: the one way from `diagnose`'s flags, a scenario's `probe` and an exporter module to a plan.
@Suite("ProbeOptions: one plan builder for diagnose, scenarios and the exporter")
struct ProbeOptionsTests {
    let target: WebSocketURL
    init() throws { target = try WebSocketURL(parsing: "wss://127.0.0.1:9/ws") }

    /// Writes the lab's root and a certificate with its key into a fresh directory and passes their paths to `body`.
    func withTLSFiles(_ body: (_ ca: String, _ cert: String, _ key: String) throws -> Void) throws {
        let authority = try LabCertificateAuthority.generate()
        let identity = authority.serverIdentity(.valid)
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("ws1011-options-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let ca = directory.appendingPathComponent("ca.pem").path
        let cert = directory.appendingPathComponent("cert.pem").path
        let key = directory.appendingPathComponent("key.pem").path
        try authority.writeRootPEM(to: ca)
        try identity.certificateChainPEM.joined(separator: "\n").write(toFile: cert, atomically: true, encoding: .utf8)
        try identity.privateKeyPEM.write(toFile: key, atomically: true, encoding: .utf8)
        try body(ca, cert, key)
    }

    @Test func withNoOptionSetThePlanHasTheDefaultsOfAPlan() throws {
        let plan = try ProbeOptions().plan(for: target)
        let bare = ProbePlan(target: target)
        #expect(plan.target == target)
        #expect(plan.profile == .plain)
        #expect(plan.token == .none)
        #expect(plan.headers.isEmpty && plan.subprotocols.isEmpty && plan.routes.isEmpty)
        #expect(plan.timeouts.connect == bare.timeouts.connect && plan.timeouts.message == bare.timeouts.message)
        #expect(plan.timeouts.close == bare.timeouts.close)
        #expect(plan.authChannelMatrix && plan.http2Check && plan.transport == .http1)
        #expect(plan.trafficInterval == bare.trafficInterval && plan.fleetHold == bare.fleetHold)
        #expect(plan.connections == nil && plan.maxTime == nil && plan.direct == nil && plan.proxy == nil)
    }

    @Test func everyOptionLandsInThePlan() throws {
        try withTLSFiles { ca, cert, key in
            var options = ProbeOptions()
            options.profile = "echo"
            options.subprotocols = ["chat.v1"]
            options.headers = [HeaderField("X-Env", "staging")]
            options.origin = "https://app.example.com"
            options.token = .mint(secret: "a-signing-secret", email: "user@example.com")
            options.caFile = ca
            options.trustRootsPEM = ["-----BEGIN CERTIFICATE-----"]
            options.insecure = true
            options.clientCertificateFile = cert
            options.clientKeyFile = key
            options.proxy = ProxySettings(host: "proxy.example", port: 3128, username: "u", password: "proxy-pass", source: "--proxy")
            options.routes = [try ConnectRoute.parseResolve("example.com:443:127.0.0.1")]
            options.direct = try WebSocketURL(parsing: "wss://127.0.0.1:10/ws")
            options.http2 = true
            options.connectTimeout = .seconds(4)
            options.messageTimeout = .seconds(6)
            options.closeTimeout = .seconds(1)
            options.maxTime = .seconds(90)
            options.idleProbe = .seconds(30)
            options.lifetimeProbe = .seconds(40)
            options.sustain = .seconds(20)
            options.trafficInterval = .milliseconds(250)
            options.withholdPongs = true
            options.keepalive = .init(interval: .seconds(5), timeout: .seconds(10))
            options.messageSize = 4096
            options.authChannels = [.header, .query]
            options.connections = 12
            options.fleetHold = .seconds(7)
            options.instanceHeader = "X-Pod"
            let plan = try options.plan(for: target)
            #expect(plan.profile.name == "echo")
            #expect(plan.subprotocols == ["chat.v1"])
            #expect(plan.headers == [HeaderField("X-Env", "staging")])
            #expect(plan.origin == "https://app.example.com")
            #expect(plan.token == .mint(secret: "a-signing-secret", email: "user@example.com"))
            #expect(plan.tls.caFile == ca && plan.tls.trustRootsPEM == ["-----BEGIN CERTIFICATE-----"] && plan.tls.insecure)
            #expect(plan.tls.clientCertificateFile == cert && plan.tls.clientKeyFile == key)
            #expect(plan.proxy?.host == "proxy.example" && plan.proxy?.port == 3128)
            #expect(plan.extraSecrets.contains("proxy-pass"), "the proxy's password is a secret of the plan")
            #expect(plan.routes.count == 1)
            #expect(plan.direct?.description == "wss://127.0.0.1:10/ws")
            #expect(plan.transport == .http2 && plan.http2Check)
            #expect(
                plan.timeouts.connect == .seconds(4) && plan.timeouts.tlsHandshake == .seconds(4) && plan.timeouts.upgrade == .seconds(4))
            #expect(plan.timeouts.message == .seconds(6) && plan.timeouts.close == .seconds(1))
            #expect(plan.maxTime == .seconds(90))
            #expect(plan.idleProbe == .seconds(30) && plan.lifetimeProbe == .seconds(40) && plan.sustain == .seconds(20))
            #expect(plan.trafficInterval == .milliseconds(250))
            #expect(plan.withholdPongs)
            #expect(plan.keepalive?.interval == .seconds(5) && plan.keepalive?.timeout == .seconds(10))
            #expect(plan.messageSize == 4096)
            #expect(plan.authChannelMatrix && plan.authChannels == [.header, .query])
            #expect(plan.connections == 12 && plan.fleetHold == .seconds(7) && plan.instanceHeader == "X-Pod")
        }
    }

    @Test func withoutAProfileTheFrontEndsDefaultIsUsed() throws {
        var options = ProbeOptions()
        options.defaultProfile = .lab
        #expect(try options.plan(for: target).profile == .lab)
        options.profile = "plain"
        #expect(try options.plan(for: target).profile == .plain)
    }

    @Test func theCredentialChannelSendsALiteralTokenOnlyThatWay() throws {
        var options = ProbeOptions()
        options.token = .literal("tok")
        options.direct = try WebSocketURL(parsing: "ws://127.0.0.1:10/ws?room=1")

        options.credentialChannel = .header
        let header = try options.plan(for: target)
        #expect(header.headers == [HeaderField("Authorization", "Bearer tok")])
        #expect(header.target == target && header.token == .literal("tok"))

        options.credentialChannel = .query
        let query = try options.plan(for: target)
        #expect(query.target.resource == "/ws?token=tok")
        #expect(query.direct?.resource == "/ws?room=1&token=tok")
        #expect(query.headers.isEmpty && query.token == .literal("tok"))

        options.credentialChannel = AuthChannel.none
        #expect(try options.plan(for: target).token == .none)

        options.credentialChannel = .subprotocol
        let subprotocol = try options.plan(for: target)
        #expect(subprotocol.token == .literal("tok") && subprotocol.headers.isEmpty && subprotocol.target == target)
    }

    /// One bad option each, with what the error must say on the command line and in an exporter module.
    static let badOptions: [(String, @Sendable (inout ProbeOptions) -> Void, commandLine: String, module: String)] = [
        ("no connections", { $0.connections = 0 }, "--connections must be 1 to 1000 (got 0)", "connections must be 1 to 1000 (got 0)"),
        ("too many connections", { $0.connections = 1001 }, "--connections must be 1 to 1000 (got 1001)", "connections must be 1 to 1000"),
        (
            "an instance header without a fleet", { $0.instanceHeader = "X-Pod" },
            "--instance-header applies to the fleet: give --connections N too", "instanceHeader applies to the fleet: give connections too"
        ),
        (
            "a hold without a fleet", { $0.fleetHold = .seconds(5) },
            "--hold applies to the fleet: give --connections N too", "hold applies to the fleet: give connections too"
        ),
        ("an empty message", { $0.messageSize = 0 }, "--message-size must be at least 1 byte (got 0)", "at least 1 byte"),
        (
            "HTTP/2 without the HTTP/2 check",
            {
                $0.http2 = true; $0.http2Check = false
            }, "--http2 and --no-h2 contradict each other", "contradict"
        ),
        (
            "channels without the matrix",
            {
                $0.authChannels = [.header]; $0.authChannelMatrix = false
            },
            "--auth-channels and --no-auth-matrix contradict each other", "authMatrix false contradict each other"
        ),
        ("an unknown profile", { $0.profile = "fancy" }, "--profile: ", "profile: "),
        ("a header channel without a literal token", { $0.credentialChannel = .header }, "give the token itself", "give the token itself"),
        ("a subprotocol that is no HTTP token", { $0.subprotocols = ["two words"] }, "is not an HTTP token", "is not an HTTP token"),
        ("a keepalive of zero", { $0.keepalive = .init(interval: .zero, timeout: .seconds(1)) }, "--keepalive", "--keepalive"),
    ]

    @Test(arguments: badOptions.indices)
    func aBadOptionIsAnErrorNamingItAsTheFrontEndSpellsIt(_ index: Int) throws {
        let (what, mutate, commandLine, module) = Self.badOptions[index]
        for (names, expected) in [(ProbeOptions.Names.commandLine, commandLine), (.exporterModule, module)] {
            var options = ProbeOptions()
            options.names = names
            mutate(&options)
            let error = #expect(throws: ProbeError.self, "\(what)") { try options.plan(for: target) }
            #expect(error?.description.contains(expected) == true, "\(what): \(String(describing: error))")
            #expect(error?.shortDescription == "invalid-configuration", "\(what): a configuration error, exit 2")
        }
    }

    @Test func aScenarioFileNamesItsOwnFields() throws {
        var options = ProbeOptions()
        options.names = .scenarioFile
        options.messageSize = 0
        let error = #expect(throws: ProbeError.self) { try options.plan(for: target) }
        #expect(error?.description.contains("probe.messageBytes must be at least 1 byte") == true, "\(String(describing: error))")
    }
}
