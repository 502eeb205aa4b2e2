import Foundation
import Testing
import WebSocketDiagnosis
import WebSocketLab
import WebSocketProbe

/// A corporate-style forward proxy no one here wrote: tinyproxy, tunnelling with CONNECT. The proxy hop is a
/// step of its own, and a refusal (its allow-list, its credentials) or an unreachable proxy is named as the
/// proxy's, never as the server's.
@Suite("Interop: tinyproxy (HTTP CONNECT)")
struct TinyproxyInteropTests {
    func withEcho(_ body: (String) async throws -> Void) async throws {
        let server = try await EchoServer.start(configuration: .init())
        do { try await body(server.url) } catch {
            await server.shutdown()
            throw error
        }
        await server.shutdown()
    }

    @Test(
        "through an open tinyproxy the echo is healthy and the proxy step names the tunnel",
        .enabled(if: InteropPeer.shouldRun(.tinyproxy), InteropPeer.reason(.tinyproxy)), .realIO)
    func healthyThroughTheProxy() async throws {
        try await withEcho { url in
            try await InteropPeers.tinyproxy().run { proxy in
                let report = try await Probe.diagnose(url) {
                    $0.profile = .echo
                    $0.proxy = try ProxySettings.parse("http://127.0.0.1:\(proxy.port)", source: "--proxy")
                }
                #expect(report.verdict.cause == .healthy, Probe.describe(report))
                let step = try #require(report.steps.first { $0.name == .proxy })
                #expect(step.status == .passed && step.detail.contains("HTTP 200"), "\(step.detail)")
                #expect(report.transcript.connectedAddress == "127.0.0.1:\(proxy.port)", "TCP went to the proxy")
                #expect(proxy.stderrText.contains("CONNECT") || proxy.stdoutText.contains("CONNECT"), "tinyproxy logged the tunnel")
            }
        }
    }

    @Test(
        "a tinyproxy that allows CONNECT to port 443 only answers 403: network.proxy-refused naming its allow-list",
        .enabled(if: InteropPeer.shouldRun(.tinyproxy), InteropPeer.reason(.tinyproxy)), .realIO)
    func refusedByTheAllowList() async throws {
        try await withEcho { url in
            try await InteropPeers.tinyproxy(["ConnectPort 443"]).run { proxy in
                let report = try await Probe.diagnose(url) {
                    $0.profile = .echo
                    $0.proxy = try ProxySettings.parse("http://127.0.0.1:\(proxy.port)", source: "https_proxy")
                }
                #expect(report.verdict.cause == .proxyRefused, Probe.describe(report))
                #expect(report.verdict.layer == .network)
                #expect(report.transcript.proxy?.status == 403)
                #expect(
                    report.verdict.summary.contains("allow-list") && report.verdict.summary.contains("https_proxy"),
                    "\(report.verdict.summary)")
                #expect(report.steps.first { $0.name == .proxy }?.status == .failed)
                #expect(report.steps.first { $0.name == .upgrade }?.detail.contains("not run") == true)
                #expect(report.transcript.handshake == nil, "nothing reached the server")
                #expect(
                    report.transcript.proxy?.server?.contains("tinyproxy") == true,
                    "its error page names it: \(String(describing: report.transcript.proxy))")
            }
        }
    }

    @Test(
        "tinyproxy with BasicAuth: no credentials is a refusal that asks for them; the right ones open the tunnel and never reach an output",
        .enabled(if: InteropPeer.shouldRun(.tinyproxy), InteropPeer.reason(.tinyproxy)), .realIO)
    func credentials() async throws {
        let password = "pr0xy-Pass-7731"
        try await withEcho { url in
            try await InteropPeers.tinyproxy(["BasicAuth alice \(password)"]).run { proxy in
                let without = try await Probe.diagnose(url) {
                    $0.profile = .echo
                    $0.proxy = try ProxySettings.parse("http://127.0.0.1:\(proxy.port)", source: "--proxy")
                }
                #expect(without.verdict.cause == .proxyRefused, Probe.describe(without))
                #expect([401, 407].contains(without.transcript.proxy?.status ?? 0))
                #expect(without.verdict.summary.contains("credentials"), "\(without.verdict.summary)")

                let settings = try ProxySettings.parse("http://alice:\(password)@127.0.0.1:\(proxy.port)", source: "--proxy")
                let with = try await Probe.diagnose(url) {
                    $0.profile = .echo
                    $0.proxy = settings
                    $0.extraSecrets = settings.secrets
                }
                #expect(with.verdict.cause == .healthy, Probe.describe(with))
                #expect(with.transcript.proxy?.credentialsSent == true)
                let json = try JSONReportRenderer.render(with)
                for form in [password, Data("alice:\(password)".utf8).base64EncodedString()] {
                    #expect(!json.contains(form) && !TextReportRenderer.render(with).contains(form), "a credential reached the report")
                }
            }
        }
    }

    @Test(
        "a proxy that does not listen: network.proxy-unreachable, the connect step failing with the proxy's address",
        .enabled(if: InteropPeer.shouldRun(.tinyproxy), InteropPeer.reason(.tinyproxy)))
    func unreachableProxy() async throws {
        let closed = try PeerProcess.freePort()
        try await withEcho { url in
            let report = try await Probe.diagnose(url) {
                $0.profile = .echo
                $0.proxy = try ProxySettings.parse("127.0.0.1:\(closed)", source: "all_proxy")
            }
            #expect(report.verdict.cause == .proxyUnreachable, Probe.describe(report))
            #expect(report.steps.first { $0.name == .connect }?.status == .failed)
            #expect(report.steps.first { $0.name == .connect }?.detail.contains("127.0.0.1:\(closed)") == true, Probe.describe(report))
        }
    }

    @Test(
        "NO_PROXY exempting the host sends the connection direct, past a proxy that would refuse it",
        .enabled(if: InteropPeer.shouldRun(.tinyproxy), InteropPeer.reason(.tinyproxy)), .realIO)
    func exemptedHostGoesDirect() async throws {
        try await withEcho { url in
            try await InteropPeers.tinyproxy(["ConnectPort 443"]).run { proxy in
                let target = try WebSocketURL(parsing: url)
                let environment = [
                    "https_proxy": "http://127.0.0.1:\(proxy.port)", "http_proxy": "http://127.0.0.1:\(proxy.port)",
                    "NO_PROXY": "localhost,127.0.0.0/8",
                ]
                #expect(try ProxySettings.fromEnvironment(environment, for: target) == nil)
                var settings = try ProxySettings.parse("http://127.0.0.1:\(proxy.port)", source: "--proxy")
                settings.exemptions = "127.0.0.1"
                let report = try await Probe.diagnose(url) {
                    $0.profile = .echo
                    $0.proxy = settings
                }
                #expect(report.verdict.cause == .healthy, Probe.describe(report))
                #expect(report.transcript.proxy == nil)
                #expect(report.steps.first { $0.name == .proxy }?.detail.contains("no proxy") == true)
            }
        }
    }
}
