import Foundation
import Testing
import WebSocketDiagnosis
import WebSocketLab
import WebSocketProbe

/// Client certificates (`--cert`, `--key`) against `openssl s_server -Verify 1 -verify_return_error`, a front
/// that requires mutual TLS, over TLS 1.3 (the refusal arrives as an alert after our side of the handshake)
/// and TLS 1.2 (the CertificateRequest is read from the server's plaintext handshake).
@Suite("Interop: mutual TLS with openssl s_server")
struct MutualTLSInteropTests {
    /// A client CA and two client certificates made by the openssl command line: one the server trusts, one
    /// self-signed stranger.
    struct ClientCertificates {
        let directory: URL
        var caPEM: String { directory.appendingPathComponent("client-ca.pem").path }
        var trustedCert: String { directory.appendingPathComponent("client.pem").path }
        var trustedKey: String { directory.appendingPathComponent("client.key").path }
        var strangerCert: String { directory.appendingPathComponent("stranger.pem").path }
        var strangerKey: String { directory.appendingPathComponent("stranger.key").path }

        static func make() async throws -> ClientCertificates {
            let openssl = try InteropPeer.openssl.require()
            let directory = try PeerProcess.makeDirectory("mtls-client-certs")
            let d = directory.path
            let commands: [[String]] = [
                [
                    "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes", "-keyout", "\(d)/client-ca.key",
                    "-out", "\(d)/client-ca.pem", "-days", "2", "-subj", "/CN=ws1011 test client CA",
                ],
                [
                    "req", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes", "-keyout", "\(d)/client.key",
                    "-out", "\(d)/client.csr", "-subj", "/CN=probe-client",
                ],
                [
                    "x509", "-req", "-in", "\(d)/client.csr", "-CA", "\(d)/client-ca.pem", "-CAkey", "\(d)/client-ca.key",
                    "-CAcreateserial", "-out", "\(d)/client.pem", "-days", "2",
                ],
                [
                    "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes", "-keyout", "\(d)/stranger.key",
                    "-out", "\(d)/stranger.pem", "-days", "2", "-subj", "/CN=stranger",
                ],
            ]
            for arguments in commands {
                let (status, output) = try await PeerProcess.runToEnd(executable: openssl, arguments: arguments, within: .seconds(30))
                guard status == 0 else { throw InteropError("openssl \(arguments.joined(separator: " ")) exited \(status): \(output)") }
            }
            return ClientCertificates(directory: directory)
        }
    }

    static let versions = ["-tls1_3", "-tls1_2"]

    func withServer(_ version: String, _ body: (PeerProcess, LabCertificateAuthority, ClientCertificates) async throws -> Void) async throws
    {
        let authority = try LabCertificateAuthority.generate()
        let certificates = try await ClientCertificates.make()
        defer { try? FileManager.default.removeItem(at: certificates.directory) }
        try await InteropPeers.opensslServer(
            authority: authority, variant: .valid, www: true,
            extra: ["-CAfile", certificates.caPEM, "-Verify", "1", "-verify_return_error", version]
        ).run { server in try await body(server, authority, certificates) }
    }

    @Test(
        "no client certificate for a front that requires one: tls.client-certificate-required, from the server's alert",
        .enabled(if: InteropPeer.shouldRun(.openssl), InteropPeer.reason(.openssl)), .realIO, arguments: versions)
    func noCertificate(_ version: String) async throws {
        try await withServer(version) { server, authority, _ in
            let report = try await Probe.diagnose("wss://127.0.0.1:\(server.port)/") {
                $0.tls.trustRootsPEM = [authority.rootCertificatePEM]
            }
            let tls = try #require(report.transcript.tls, Probe.describe(report))
            #expect(tls.failure == .clientCertificateRequired, "\(tls.failureDetail ?? "")")
            #expect(tls.clientCertificate == nil)
            #expect(tls.clientCertificateRequested == true)
            #expect(report.verdict.cause == .clientCertificateRequired, Probe.describe(report))
            #expect(report.verdict.layer == .tls)
            #expect(report.steps.first { $0.name == .tls }?.status == .failed, Probe.describe(report))
            #expect(report.transcript.handshake == nil, "no HTTP answer is recorded: \(Probe.describe(report))")
        }
    }

    @Test(
        "a client certificate from a CA the front does not trust: tls.client-certificate-rejected, naming what was offered",
        .enabled(if: InteropPeer.shouldRun(.openssl), InteropPeer.reason(.openssl)), .realIO, arguments: versions)
    func untrustedCertificate(_ version: String) async throws {
        try await withServer(version) { server, authority, certificates in
            let report = try await Probe.diagnose("wss://127.0.0.1:\(server.port)/") {
                $0.tls.trustRootsPEM = [authority.rootCertificatePEM]
                $0.tls.clientCertificateFile = certificates.strangerCert
                $0.tls.clientKeyFile = certificates.strangerKey
            }
            let tls = try #require(report.transcript.tls, Probe.describe(report))
            #expect(tls.failure == .clientCertificateRejected, "\(tls.failureDetail ?? "")")
            #expect(tls.failureDetail?.contains("unknown_ca") == true, "\(tls.failureDetail ?? "")")
            #expect(tls.clientCertificate?.contains("CN=stranger") == true, "\(tls.clientCertificate ?? "nil")")
            #expect(report.verdict.cause == .clientCertificateRejected, Probe.describe(report))
            #expect(report.verdict.evidence.contains { $0.observation.contains("CN=stranger") }, Probe.describe(report))
        }
    }

    @Test(
        "the client certificate the front trusts: TLS passes and the upgrade reaches the server (its status page, not 101)",
        .enabled(if: InteropPeer.shouldRun(.openssl), InteropPeer.reason(.openssl)), .realIO, arguments: versions)
    func trustedCertificate(_ version: String) async throws {
        try await withServer(version) { server, authority, certificates in
            let report = try await Probe.diagnose("wss://127.0.0.1:\(server.port)/") {
                $0.tls.trustRootsPEM = [authority.rootCertificatePEM]
                $0.tls.clientCertificateFile = certificates.trustedCert
                $0.tls.clientKeyFile = certificates.trustedKey
            }
            let tls = try #require(report.transcript.tls, Probe.describe(report))
            #expect(tls.verified && tls.failure == nil, "\(tls.failureDetail ?? "")")
            #expect(tls.clientCertificate?.contains("CN=probe-client") == true, "\(tls.clientCertificate ?? "nil")")
            if version == "-tls1_2" { #expect(tls.clientCertificateRequested == true, "the CertificateRequest is read in TLS 1.2") }
            #expect(report.transcript.handshake?.status == 200, Probe.describe(report))
            #expect(report.verdict.layer != .tls, Probe.describe(report))
        }
    }
}
