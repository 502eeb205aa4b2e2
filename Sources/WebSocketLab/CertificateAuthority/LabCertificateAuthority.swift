import Crypto
import Foundation
import NIOSSL
import SwiftASN1
import X509

#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#elseif canImport(Darwin)
    import Darwin
#endif

/// An in-process certificate authority for the lab: root → intermediate → server leaves, all P-256,
/// made with swift-certificates and swift-crypto (no `openssl` command), plus one broken variant per TLS fault.
public struct LabCertificateAuthority: Sendable {
    /// The root certificate to trust (give it to the client as a CA file or inline root).
    public var rootCertificatePEM: String
    /// The intermediate that issues the leaves.
    public var intermediateCertificatePEM: String
    /// The names the leaves are for.
    public var hosts: [String]
    private var identities: [TLSVariant: ServerIdentity]

    /// Generates a root, an intermediate and one server identity per ``TLSVariant``.
    ///
    /// - Parameters:
    ///   - hosts: DNS names and IP literals the leaves are for (default `localhost`, `127.0.0.1`, `::1`).
    ///   - now: the reference time for validity windows (default the current time).
    public static func generate(hosts: [String] = ["localhost", "127.0.0.1", "::1"], now: Date = Date()) throws -> LabCertificateAuthority {
        let day: TimeInterval = 86_400
        let rootKey = Certificate.PrivateKey(P256.Signing.PrivateKey())
        let rootName = try DistinguishedName {
            OrganizationName("ws1011 lab")
            CommonName("ws1011 lab root CA")
        }
        let root = try Certificate(
            version: .v3, serialNumber: .init(), publicKey: rootKey.publicKey,
            notValidBefore: now - day, notValidAfter: now + 3650 * day,
            issuer: rootName, subject: rootName, signatureAlgorithm: .ecdsaWithSHA256,
            extensions: try Certificate.Extensions {
                Critical(BasicConstraints.isCertificateAuthority(maxPathLength: nil))
                Critical(KeyUsage(keyCertSign: true, cRLSign: true))
                SubjectKeyIdentifier(hash: rootKey.publicKey)
            },
            issuerPrivateKey: rootKey)

        let intermediateKey = Certificate.PrivateKey(P256.Signing.PrivateKey())
        let intermediateName = try DistinguishedName {
            OrganizationName("ws1011 lab")
            CommonName("ws1011 lab intermediate CA")
        }
        let intermediate = try Certificate(
            version: .v3, serialNumber: .init(), publicKey: intermediateKey.publicKey,
            notValidBefore: now - day, notValidAfter: now + 1825 * day,
            issuer: rootName, subject: intermediateName, signatureAlgorithm: .ecdsaWithSHA256,
            extensions: try Certificate.Extensions {
                Critical(BasicConstraints.isCertificateAuthority(maxPathLength: 0))
                Critical(KeyUsage(keyCertSign: true, cRLSign: true))
                SubjectKeyIdentifier(hash: intermediateKey.publicKey)
                AuthorityKeyIdentifier(keyIdentifier: SubjectKeyIdentifier(hash: rootKey.publicKey).keyIdentifier)
            },
            issuerPrivateKey: rootKey)

        let leafKey = Certificate.PrivateKey(P256.Signing.PrivateKey())
        let leafKeyPEM = try leafKey.serializeAsPEM().pemString

        func leaf(names: [String], from notBefore: Date, to notAfter: Date, selfSigned: Bool = false) throws -> Certificate {
            let subject = try DistinguishedName {
                OrganizationName("ws1011 lab")
                CommonName(names.first ?? "ws1011 lab server")
            }
            let sans = SubjectAlternativeNames(names.map(Self.generalName))
            let issuerKey = selfSigned ? leafKey : intermediateKey
            return try Certificate(
                version: .v3, serialNumber: .init(), publicKey: leafKey.publicKey,
                notValidBefore: notBefore, notValidAfter: notAfter,
                issuer: selfSigned ? subject : intermediateName, subject: subject, signatureAlgorithm: .ecdsaWithSHA256,
                extensions: try Certificate.Extensions {
                    Critical(BasicConstraints.notCertificateAuthority)
                    Critical(KeyUsage(digitalSignature: true))
                    try ExtendedKeyUsage([.serverAuth])
                    sans
                    SubjectKeyIdentifier(hash: leafKey.publicKey)
                    AuthorityKeyIdentifier(keyIdentifier: SubjectKeyIdentifier(hash: issuerKey.publicKey).keyIdentifier)
                },
                issuerPrivateKey: issuerKey)
        }

        let intermediatePEM = try intermediate.serializeAsPEM().pemString
        func identity(_ certificate: Certificate, withIntermediate: Bool = true) throws -> ServerIdentity {
            let leafPEM = try certificate.serializeAsPEM().pemString
            return ServerIdentity(
                certificateChainPEM: withIntermediate ? [leafPEM, intermediatePEM] : [leafPEM], privateKeyPEM: leafKeyPEM)
        }
        let validLeaf = try leaf(names: hosts, from: now - day, to: now + 90 * day)
        let identities: [TLSVariant: ServerIdentity] = [
            .valid: try identity(validLeaf),
            .expired: try identity(try leaf(names: hosts, from: now - 60 * day, to: now - day)),
            .notYetValid: try identity(try leaf(names: hosts, from: now + day, to: now + 60 * day)),
            .wrongHost: try identity(try leaf(names: ["wrong.example.invalid"], from: now - day, to: now + 90 * day)),
            .selfSigned: try identity(
                try leaf(names: hosts, from: now - day, to: now + 90 * day, selfSigned: true), withIntermediate: false),
            .noIntermediate: try identity(validLeaf, withIntermediate: false),
        ]
        return LabCertificateAuthority(
            rootCertificatePEM: try root.serializeAsPEM().pemString, intermediateCertificatePEM: intermediatePEM,
            hosts: hosts, identities: identities)
    }

    /// The chain and key the server presents for `variant`.
    public func serverIdentity(_ variant: TLSVariant) -> ServerIdentity {
        // Every variant is generated in `generate`; the fallback is never reached.
        identities[variant] ?? identities[.valid] ?? ServerIdentity(certificateChainPEM: [], privateKeyPEM: "")
    }

    /// A server TLS context presenting `variant`, offering `applicationProtocols` by ALPN (default `http/1.1`;
    /// `["h2", "http/1.1"]` for a front that serves HTTP/2 too).
    public func makeServerContext(_ variant: TLSVariant, applicationProtocols: [String] = ["http/1.1"]) throws -> NIOSSLContext {
        let identity = serverIdentity(variant)
        let chain = try identity.certificateChainPEM.map {
            NIOSSLCertificateSource.certificate(try NIOSSLCertificate(bytes: Array($0.utf8), format: .pem))
        }
        let key = try NIOSSLPrivateKey(bytes: Array(identity.privateKeyPEM.utf8), format: .pem)
        var configuration = TLSConfiguration.makeServerConfiguration(certificateChain: chain, privateKey: .privateKey(key))
        configuration.applicationProtocols = applicationProtocols
        return try NIOSSLContext(configuration: configuration)
    }

    /// Writes the root certificate as PEM to `path` (for `--ca-file`).
    public func writeRootPEM(to path: String) throws {
        try rootCertificatePEM.write(toFile: path, atomically: true, encoding: .utf8)
    }

    // MARK: - Names

    /// The names a server listening on `listenHost` is reached by: loopback, plus the host itself unless it
    /// is a wildcard (`0.0.0.0`, `::`).
    public static func hosts(servingOn listenHost: String) -> [String] {
        var hosts = ["localhost", "127.0.0.1", "::1"]
        if !hosts.contains(listenHost), listenHost != "0.0.0.0", listenHost != "::" { hosts.append(listenHost) }
        return hosts
    }

    /// An IP literal as an `ipAddress` SAN, anything else as a `dNSName`.
    static func generalName(_ host: String) -> GeneralName {
        var v4 = in_addr()
        if inet_pton(AF_INET, host, &v4) == 1 {
            let bytes = withUnsafeBytes(of: &v4) { Array($0) }
            return .ipAddress(ASN1OctetString(contentBytes: bytes[...]))
        }
        var v6 = in6_addr()
        if inet_pton(AF_INET6, host, &v6) == 1 {
            let bytes = withUnsafeBytes(of: &v6) { Array($0) }
            return .ipAddress(ASN1OctetString(contentBytes: bytes[...]))
        }
        return .dnsName(host)
    }
}
