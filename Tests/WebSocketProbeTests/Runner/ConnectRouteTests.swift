import Foundation
import Testing
import WebSocketDiagnosis
import WebSocketLab

@testable import WebSocketProbe

/// `--resolve` and `--connect-to`, as curl reads them: parsing, and a run that reaches the server by them with
/// the URL's name kept in `Host`.
@Suite("Connect routes: --resolve and --connect-to")
struct ConnectRouteTests {
    @Test func resolveAndConnectToParseAsCurlWritesThem() throws {
        let resolve = try ConnectRoute.parseResolve("example.com:443:10.0.0.7,[2001:db8::7]")
        #expect(resolve.host == "example.com" && resolve.port == 443)
        #expect(resolve.action == .addresses(["10.0.0.7", "2001:db8::7"]))
        #expect(try ConnectRoute.parseResolve("example.com:*:10.0.0.7").port == nil)
        #expect(resolve.description == "--resolve example.com:443:10.0.0.7,[2001:db8::7]")

        let connect = try ConnectRoute.parseConnectTo("example.com:443:backend-7.internal:8443")
        #expect(connect.action == .connectTo(host: "backend-7.internal", port: 8443))
        let anyHost = try ConnectRoute.parseConnectTo("::[::1]:9000")
        #expect(anyHost.host == nil && anyHost.port == nil && anyHost.action == .connectTo(host: "::1", port: 9000))
        #expect(try ConnectRoute.parseConnectTo("example.com:443::8443").action == .connectTo(host: nil, port: 8443))
    }

    @Test(arguments: [
        ("--resolve", "example.com:443", "3"), ("--resolve", ":443:10.0.0.7", "host is empty"),
        ("--resolve", "example.com:443:db.internal", "not a list of IP addresses"),
        ("--resolve", "example.com:99999:10.0.0.7", "not a port"),
        ("--connect-to", "a:b:c", "not 4"), ("--connect-to", "example.com:443::", "neither the host nor the port"),
        ("--connect-to", "example.com:443:evil\r\nX: y:80", "control characters"),
        ("--connect-to", "example.com:443:a/b:80", "not a host name"),
    ])
    func malformedRoutesNameThePartAndTheForm(_ option: String, _ text: String, _ expected: String) {
        do {
            _ = option == "--resolve" ? try ConnectRoute.parseResolve(text) : try ConnectRoute.parseConnectTo(text)
            Issue.record("\(text) was accepted")
        } catch {
            #expect(error.description.contains(expected), "\(error.description)")
            #expect(error.description.contains("write it as"), "the form to use is given: \(error.description)")
        }
    }

    @Test func theFirstMatchingRoutesApplyConnectToThenResolve() throws {
        var configuration = ClientConfiguration(url: try WebSocketURL(parsing: "wss://chat.example.com/ws"))
        configuration.routes = [
            try ConnectRoute.parseResolve("other.example.com:443:10.0.0.1"),
            try ConnectRoute.parseConnectTo("chat.example.com:443:edge.example.com:8443"),
            try ConnectRoute.parseResolve("edge.example.com:8443:10.0.0.9"),
        ]
        let target = configuration.connectTarget()
        #expect(target.host == "edge.example.com" && target.port == 8443 && target.addresses == ["10.0.0.9"])
        #expect(target.applied.count == 2)
        configuration.url = try WebSocketURL(parsing: "wss://unrelated.example.org/ws")
        #expect(configuration.connectTarget().applied.isEmpty)
    }

    @Test func aRunReachesTheServerByTheRouteWithTheURLsNameInHost() async throws {
        let server = try await EchoServer.start(configuration: .init())
        defer { Task { await server.shutdown() } }
        let port = try WebSocketURL(parsing: server.url).port
        for route in [
            try ConnectRoute.parseResolve("chat.ws1011.invalid:\(port):127.0.0.1"),
            try ConnectRoute.parseConnectTo("chat.ws1011.invalid:80:127.0.0.1:\(port)"),
        ] {
            let url = route.action == .addresses(["127.0.0.1"]) ? "ws://chat.ws1011.invalid:\(port)/" : "ws://chat.ws1011.invalid/"
            var plan = ProbePlan(target: try WebSocketURL(parsing: url))
            plan.profile = .echo
            plan.routes = [route]
            plan.timeouts.connect = .seconds(10)
            let report = try await ProbeRunner(plan: plan).run()
            #expect(report.verdict.layer == .healthy, "\(TextReportRenderer.render(report))")
            #expect(report.transcript.route == route.description)
            #expect(report.transcript.connectedAddress == "127.0.0.1:\(port)")
            let resolve = report.steps.first { $0.name == .resolve }?.detail ?? ""
            #expect(resolve.contains("routed by \(route.description)"), "\(resolve)")
            let host = report.transcript.request?.headers.first { $0.name.lowercased() == "host" }?.value
            #expect(host?.hasPrefix("chat.ws1011.invalid") == true, "Host stays the URL's: \(host ?? "nil")")
        }
        await server.shutdown()
    }
}
