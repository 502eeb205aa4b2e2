import Foundation
import NIOCore
import NIOSSL
import SwiftASN1
import WebSocketDiagnosis
import X509

/// Everything needed to start TLS for one connection: the context, the names, the trust roots.
///
/// Verification is done by our own callback (swift-certificates' `Verifier`) so that a failure has a
/// precise reason and the chain is recorded; NIOSSL's own checks are replaced, never skipped silently.
struct TLSClientSetup: Sendable {
    let context: NIOSSLContext
    /// The name verified against the certificate.
    let serverName: String
    /// The SNI name (`nil` for IP literals, which SNI does not allow).
    let sniName: String?
    let insecure: Bool
    let roots: CertificateStore
    /// What the client certificate offered is (`nil`: none configured).
    let clientCertificate: String?

    /// Builds the setup for `settings` and `host`, offering `applicationProtocols` by ALPN (default `http/1.1`).
    static func make(_ settings: ClientConfiguration.TLSSettings, host: String, applicationProtocols: [String] = ["http/1.1"])
        throws(ProbeError)
        -> TLSClientSetup
    {
        var extra: [Certificate] = []
        if let path = settings.caFile {
            guard let data = FileManager.default.contents(atPath: path) else {
                throw .unreadableCAFile(path: path, reason: "the file does not exist or cannot be read")
            }
            guard let text = String(data: data, encoding: .utf8) else {
                throw .unreadableCAFile(path: path, reason: "the file is not PEM text")
            }
            do {
                let parsed = try parseCertificates(text)
                guard !parsed.isEmpty else { throw ProbeError.unreadableCAFile(path: path, reason: "the file holds no certificate") }
                extra += parsed
            } catch let error as ProbeError {
                throw error
            } catch {
                throw .unreadableCAFile(path: path, reason: "a certificate in it cannot be parsed (\(error))")
            }
        }
        for pem in settings.trustRootsPEM {
            do {
                let parsed = try parseCertificates(pem)
                guard !parsed.isEmpty else { throw ProbeError.invalidTrustRoots("a trust root given inline holds no certificate") }
                extra += parsed
            } catch let error as ProbeError {
                throw error
            } catch {
                throw .invalidTrustRoots("a trust root given inline cannot be parsed (\(error))")
            }
        }
        var configuration = TLSConfiguration.makeClientConfiguration()
        // Our callback does chain and name verification; NIOSSL must not repeat the name check with its own rules.
        configuration.certificateVerification = .noHostnameVerification
        configuration.applicationProtocols = applicationProtocols
        var clientCertificate: String?
        if let certificateFile = settings.clientCertificateFile {
            let identity = try ClientIdentity.load(certificateFile: certificateFile, keyFile: settings.clientKeyFile)
            configuration.certificateChain = identity.chain.map { .certificate($0) }
            configuration.privateKey = .privateKey(identity.key)
            clientCertificate = identity.summary
        }
        let context: NIOSSLContext
        do {
            context = try NIOSSLContext(configuration: configuration)
        } catch {
            throw .invalidConfiguration("cannot create a TLS context: \(error)")
        }
        let name = settings.serverName ?? host
        let isIP = (try? SocketAddress(ipAddress: name, port: 0)) != nil
        let roots = extra.isEmpty ? CertificateStore.systemTrustRoots : CertificateStore.systemTrustRoots.appending(contentsOf: extra)
        return TLSClientSetup(
            context: context, serverName: name, sniName: isIP ? nil : name, insecure: settings.insecure, roots: roots,
            clientCertificate: clientCertificate)
    }

    /// A client handler whose verification records into `recorder`.
    func makeHandler(recorder: LockedBox<TLSVerificationState>) throws -> NIOSSLClientHandler {
        let serverName = self.serverName
        let roots = self.roots
        let insecure = self.insecure
        return try NIOSSLClientHandler(context: context, serverHostname: sniName) { certificates, promise in
            let ders = certificates.compactMap { try? $0.toDERBytes() }
            // On the connection's loop, not the cooperative pool (see EventLoopTaskExecutor).
            Task(executorPreference: EventLoopTaskExecutor(promise.futureResult.eventLoop)) {
                let state = await TLSChainVerifier.verify(presented: ders, serverName: serverName, roots: roots, insecure: insecure)
                recorder.withLock { $0 = state }
                promise.succeed(state.verified || insecure ? .certificateVerified : .failed)
            }
        }
    }

    /// Every certificate in a PEM text.
    static func parseCertificates(_ pem: String) throws -> [Certificate] {
        try PEMDocument.parseMultiple(pemString: pem)
            .filter { $0.discriminator == "CERTIFICATE" }
            .map { try Certificate(pemDocument: $0) }
    }
}
