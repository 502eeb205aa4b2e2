import Foundation
import NIOSSL
import X509

/// The client certificate and key offered to a front that asks for one (mutual TLS, `--cert`/`--key`).
struct ClientIdentity: Sendable {
    /// The certificate chain, leaf first.
    let chain: [NIOSSLCertificate]
    /// The private key of the leaf.
    let key: NIOSSLPrivateKey
    /// The leaf's subject and issuer, for the transcript (`CN=client, issued by CN=Corp CA`).
    let summary: String

    /// Loads the PEM certificate chain at `certificateFile` and the PEM key at `keyFile` (default: the key
    /// in the certificate file, as curl reads `--cert` without `--key`), and checks that they belong together.
    /// - Throws: ``ProbeError`` naming the file, what is wrong and the fix.
    static func load(certificateFile: String, keyFile: String?) throws(ProbeError) -> ClientIdentity {
        let certificateData = try read(certificateFile, what: "client certificate")
        guard String(decoding: certificateData, as: UTF8.self).contains("-----BEGIN CERTIFICATE-----") else {
            throw ProbeError.unusableClientCertificate(path: certificateFile, reason: "it holds no '-----BEGIN CERTIFICATE-----' block")
        }
        let chain: [NIOSSLCertificate]
        do {
            chain = try NIOSSLCertificate.fromPEMBytes(Array(certificateData))
        } catch {
            throw ProbeError.unusableClientCertificate(path: certificateFile, reason: "a certificate in it is not valid PEM (\(error))")
        }
        guard let leaf = chain.first else {
            throw ProbeError.unusableClientCertificate(path: certificateFile, reason: "it holds no '-----BEGIN CERTIFICATE-----' block")
        }
        let keyPath = keyFile ?? certificateFile
        let keyData = keyFile == nil ? certificateData : try read(keyPath, what: "client key")
        let keyText = String(decoding: keyData, as: UTF8.self)
        guard keyText.contains("PRIVATE KEY-----") else {
            throw ProbeError.unusableClientCertificate(
                path: keyPath,
                reason: keyFile == nil
                    ? "it holds no private key and no --key was given: pass the key file with --key"
                    : "it holds no PEM private key ('-----BEGIN PRIVATE KEY-----' or an RSA/EC one)")
        }
        if keyText.contains("ENCRYPTED PRIVATE KEY") || keyText.contains("Proc-Type: 4,ENCRYPTED") {
            throw ProbeError.unusableClientCertificate(
                path: keyPath,
                reason: "the private key is encrypted: decrypt it to a file only you can read (`openssl pkey -in KEY -out plain.pem`)")
        }
        let key: NIOSSLPrivateKey
        do {
            key = try NIOSSLPrivateKey(bytes: Array(keyData), format: .pem)
        } catch {
            throw ProbeError.unusableClientCertificate(path: keyPath, reason: "the private key cannot be read (\(error))")
        }
        // BoringSSL checks that the key belongs to the leaf when both go into a context.
        var configuration = TLSConfiguration.makeClientConfiguration()
        configuration.certificateChain = chain.map { .certificate($0) }
        configuration.privateKey = .privateKey(key)
        do {
            _ = try NIOSSLContext(configuration: configuration)
        } catch {
            throw ProbeError.unusableClientCertificate(
                path: keyPath,
                reason: "the private key does not belong to the certificate in '\(certificateFile)' (\(error)): give the key issued with it"
            )
        }
        var summary = "a client certificate"
        if let der = try? leaf.toDERBytes(), let parsed = try? Certificate(derEncoded: der) {
            summary = "\(parsed.subject), issued by \(parsed.issuer), valid until \(parsed.notValidAfter.formatted(.iso8601))"
        }
        return ClientIdentity(chain: chain, key: key, summary: summary)
    }

    private static func read(_ path: String, what: String) throws(ProbeError) -> Data {
        guard FileManager.default.isReadableFile(atPath: path), let data = FileManager.default.contents(atPath: path) else {
            throw ProbeError.unusableClientCertificate(
                path: path, reason: FileManager.default.fileExists(atPath: path) ? "the \(what) file is not readable" : "no such file")
        }
        return data
    }
}
