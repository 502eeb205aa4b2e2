import Foundation
import Testing
import WebSocketDiagnosis
import WebSocketLab
import WebSocketProbe
import WebSocketTestFramework

/// The client's TLS verification against `openssl s_server` presenting the lab CA's certificates.
@Suite("Interop: openssl s_server")
struct OpenSSLInteropTests {
    /// Each broken certificate and the cause it must produce.
    static let brokenCertificates: [(TLSVariant, String, TLSFailureReason)] = [
        (.expired, "tls.expired-certificate", .expired),
        (.wrongHost, "tls.hostname-mismatch", .hostnameMismatch),
        (.selfSigned, "tls.untrusted-chain", .selfSigned),
    ]

    @Test(
        "a certificate fault served by openssl s_server is named precisely",
        .enabled(if: InteropPeer.shouldRun(.openssl), InteropPeer.reason(.openssl)), .realIO,
        arguments: [TLSVariant.expired, .wrongHost, .selfSigned])
    func certificateFault(_ variant: TLSVariant) async throws {
        let expected = try #require(Self.brokenCertificates.first { $0.0 == variant })
        let authority = try LabCertificateAuthority.generate()
        try await InteropPeers.opensslServer(authority: authority, variant: variant, www: true).run { server in
            let report = try await Probe.diagnose("wss://127.0.0.1:\(server.port)/") {
                $0.tls.trustRootsPEM = [authority.rootCertificatePEM]
            }
            let tls = try #require(report.transcript.tls, Probe.describe(report))
            #expect(tls.verified == false)
            #expect(tls.failure == expected.2, "failure \(tls.failure?.rawValue ?? "nil"): \(tls.failureDetail ?? "")")
            #expect(!tls.chain.isEmpty, "the chain openssl sent is summarised")
            #expect(report.transcript.handshake == nil, "no HTTP after a failed TLS handshake")
            #expect(report.verdict.cause.rawValue == expected.1, Probe.describe(report))
            #expect(report.verdict.layer == .tls)
        }
    }

    @Test(
        "a verified TLS handshake with openssl s_server -www, then an HTTP 200 status page instead of 101",
        .enabled(if: InteropPeer.shouldRun(.openssl), InteropPeer.reason(.openssl)), .realIO)
    func verifiedThenNotWebSocket() async throws {
        let authority = try LabCertificateAuthority.generate()
        try await InteropPeers.opensslServer(authority: authority, variant: .valid, www: true).run { server in
            let report = try await Probe.diagnose("wss://127.0.0.1:\(server.port)/") {
                $0.tls.trustRootsPEM = [authority.rootCertificatePEM]
            }
            let tls = try #require(report.transcript.tls, Probe.describe(report))
            #expect(tls.verified, "the lab chain verifies: \(tls.failureDetail ?? "")")
            #expect(tls.chain.count >= 2, "leaf and intermediate")
            #expect(report.transcript.handshake?.status == 200, Probe.describe(report))
            #expect(report.steps.first { $0.name == .tls }?.status == .passed)
            #expect(report.steps.first { $0.name == .upgrade }?.status == .failed)
            #expect(report.verdict.layer != .healthy && report.verdict.layer != .tls, Probe.describe(report))
        }
    }

    @Test(
        "a verified TLS handshake with a raw s_server that hangs up on the request: closed before a response head",
        .enabled(if: InteropPeer.shouldRun(.openssl), InteropPeer.reason(.openssl)), .realIO)
    func verifiedThenHangUp() async throws {
        let authority = try LabCertificateAuthority.generate()
        try await InteropPeers.opensslServer(authority: authority, variant: .valid, www: false).run { server in
            let report = try await Probe.diagnose("wss://127.0.0.1:\(server.port)/") {
                $0.tls.trustRootsPEM = [authority.rootCertificatePEM]
            }
            #expect(report.transcript.tls?.verified == true, Probe.describe(report))
            #expect(report.transcript.handshake?.status != 101, Probe.describe(report))
            #expect(report.steps.first { $0.name == .upgrade }?.status == .failed, Probe.describe(report))
            #expect(report.verdict.layer != .healthy && report.verdict.layer != .tls, Probe.describe(report))
        }
    }
}
