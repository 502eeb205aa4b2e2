import Foundation
import Testing
import WebSocketDiagnosis
import WebSocketLab
import WebSocketProbe

#if canImport(FoundationNetworking)
    import FoundationNetworking
#endif

/// The exporter's modules with a client certificate (against `openssl s_server` requiring one) and with a
/// CONNECT proxy that wants credentials (tinyproxy with BasicAuth): the module's option reaches the probe, the
/// verdict comes back as series, and no credential reaches an answer.
@Suite("Interop: exporter modules with mutual TLS and a proxy", .serialized)
struct ExporterModuleInteropTests {
    /// `GET /probe` of `exporter` for `target` with `module`; the body (bounded: 30 s).
    static func probe(_ exporter: ExporterServer, _ target: String, module: String, debug: Bool = false) async throws -> String {
        let encoded = target.addingPercentEncoding(withAllowedCharacters: .alphanumerics)!
        var request = URLRequest(
            url: URL(string: "http://127.0.0.1:\(exporter.port)/probe?target=\(encoded)&module=\(module)\(debug ? "&debug=true" : "")")!)
        request.timeoutInterval = 30
        let (data, _) = try await URLSession.shared.data(for: request)
        return String(decoding: data, as: UTF8.self)
    }

    static func value(_ metrics: String, _ series: String) -> Double? {
        metrics.split(separator: "\n").first { $0.hasPrefix(series + " ") }.flatMap { Double($0.split(separator: " ").last ?? "") }
    }

    @Test(
        "a module with certFile/keyFile passes a front that requires mutual TLS; the same module without them is tls.client-certificate-required",
        .enabled(if: InteropPeer.shouldRun(.openssl), InteropPeer.reason(.openssl)))
    func mutualTLSModule() async throws {
        let authority = try LabCertificateAuthority.generate()
        let certificates = try await MutualTLSInteropTests.ClientCertificates.make()
        defer { try? FileManager.default.removeItem(at: certificates.directory) }
        let caFile = certificates.directory.appendingPathComponent("server-ca.pem").path
        try authority.rootCertificatePEM.write(toFile: caFile, atomically: true, encoding: .utf8)
        var without = ExporterModule(profile: "plain")
        without.caFile = caFile
        var with = without
        with.certFile = certificates.trustedCert
        with.keyFile = certificates.trustedKey
        let exporter = try await ExporterServer.start(
            ExporterServer.Options(), configuration: ExporterConfiguration(modules: ["nocert": without, "mtls": with]))
        do {
            try await InteropPeers.opensslServer(
                authority: authority, variant: .valid, www: true,
                extra: ["-CAfile", certificates.caPEM, "-Verify", "1", "-verify_return_error", "-tls1_3"]
            ).run { server in
                let target = "wss://127.0.0.1:\(server.port)/"
                let refused = try await Self.probe(exporter, target, module: "nocert")
                #expect(
                    Self.value(refused, #"probe_ws1011_verdict{layer="tls",cause="tls.client-certificate-required"}"#) == 1, "\(refused)")
                #expect(Self.value(refused, #"probe_ws1011_step_passed{step="tls"}"#) == 0, "\(refused)")
                let passed = try await Self.probe(exporter, target, module: "mtls")
                #expect(Self.value(passed, #"probe_ws1011_step_passed{step="tls"}"#) == 1, "\(passed)")
                // s_server -www answers its status page: the upgrade reached the server through mutual TLS.
                #expect(Self.value(passed, "probe_websocket_status_code") == 200, "\(passed)")
                #expect(!passed.contains(#"layer="tls""#), "\(passed)")
            }
        } catch {
            await exporter.shutdown()
            throw error
        }
        await exporter.shutdown()
    }

    @Test(
        "a module tunnelling through tinyproxy with BasicAuth: credentials from proxyCredentialsFile open the tunnel and appear nowhere; without them network.proxy-refused",
        .enabled(if: InteropPeer.shouldRun(.tinyproxy), InteropPeer.reason(.tinyproxy)))
    func proxyModule() async throws {
        let password = "exp0rter-Proxy-4417"
        let dir = try PeerProcess.makeDirectory("ws1011-exporter-proxy")
        defer { try? FileManager.default.removeItem(at: dir) }
        let credentials = dir.appendingPathComponent("proxy-auth").path
        try "alice:\(password)\n".write(toFile: credentials, atomically: true, encoding: .utf8)
        let echo = try await EchoServer.start(configuration: .init())
        do {
            try await InteropPeers.tinyproxy(["BasicAuth alice \(password)"]).run { proxy in
                var without = ExporterModule(profile: "echo")
                without.proxy = "http://127.0.0.1:\(proxy.port)"
                var with = without
                with.proxyCredentialsFile = credentials
                let exporter = try await ExporterServer.start(
                    ExporterServer.Options(), configuration: ExporterConfiguration(modules: ["bare": without, "authed": with]))
                do {
                    let refused = try await Self.probe(exporter, echo.url, module: "bare")
                    #expect(Self.value(refused, #"probe_ws1011_verdict{layer="network",cause="network.proxy-refused"}"#) == 1, "\(refused)")
                    let passed = try await Self.probe(exporter, echo.url, module: "authed")
                    #expect(Self.value(passed, "probe_success") == 1, "\(passed)")
                    let debug = try await Self.probe(exporter, echo.url, module: "authed", debug: true)
                    #expect(debug.contains("Verdict: HEALTHY") && debug.contains("127.0.0.1:\(proxy.port)"), "\(debug)")
                    for form in [password, Data("alice:\(password)".utf8).base64EncodedString()] {
                        #expect(!passed.contains(form) && !debug.contains(form), "a proxy credential reached an answer")
                    }
                } catch {
                    await exporter.shutdown()
                    throw error
                }
                await exporter.shutdown()
            }
        } catch {
            await echo.shutdown()
            throw error
        }
        await echo.shutdown()
    }
}
