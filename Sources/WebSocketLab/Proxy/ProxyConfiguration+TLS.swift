extension ProxyConfiguration {
    /// This configuration with ``tlsVariant`` turned into a server context of a fresh lab CA (and its root
    /// in ``rootCertificatePEM``); unchanged when there is no variant or a context was given.
    /// - Throws: ``ProxyError`` when the certificates cannot be made.
    func resolvingTLSVariant() throws -> ProxyConfiguration {
        guard let variant = tlsVariant, tls == nil else { return self }
        var resolved = self
        do {
            let authority = try LabCertificateAuthority.generate(hosts: LabCertificateAuthority.hosts(servingOn: listenHost))
            resolved.tls = try authority.makeServerContext(variant)
            resolved.rootCertificatePEM = authority.rootCertificatePEM
        } catch {
            throw ProxyError("cannot set up TLS (\(variant.rawValue)): \(error)")
        }
        return resolved
    }
}

extension FaultProxy {
    /// The root certificate to trust when the proxy terminates TLS with its own lab CA
    /// (``ProxyConfiguration/tlsVariant``); nil otherwise.
    public var rootCertificatePEM: String? { configuration.rootCertificatePEM }
}
