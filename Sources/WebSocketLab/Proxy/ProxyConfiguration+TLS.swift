extension ProxyConfiguration {
    /// This configuration with ``tlsVariant`` turned into a server context of a fresh lab CA (and its root
    /// in ``rootCertificatePEM``); unchanged when there is no variant or a context was given.
    /// - Throws: ``ProxyError`` when the certificates cannot be made.
    func resolvingTLSVariant() throws -> ProxyConfiguration {
        guard let variant = tlsVariant, tls == nil else { return self }
        var resolved = self
        do {
            let authority = try LabCertificateAuthority.generate(hosts: LabCertificateAuthority.hosts(servingOn: listenHost))
            resolved.tls = try authority.makeServerContext(variant, applicationProtocols: http2 ? ["h2", "http/1.1"] : ["http/1.1"])
            resolved.rootCertificatePEM = authority.rootCertificatePEM
        } catch {
            throw ProxyError("cannot set up TLS (\(variant.rawValue)): \(error)")
        }
        return resolved
    }
}

extension ProxyConfiguration {
    /// Refuses an HTTP/2 front without TLS (browsers speak HTTP/2 only over TLS) and an `h2-connect-broken`
    /// fault on a proxy that does not serve HTTP/2 (it would never act).
    func validateHTTP2(_ faults: [ConfiguredFault]) throws {
        if http2, tls == nil {
            throw ProxyError("--http2 needs TLS: browsers speak HTTP/2 only over TLS with ALPN h2; add --tls VARIANT (e.g. --tls valid)")
        }
        if !http2, let fault = faults.first(where: { $0.fault is any HTTP2ConnectFault }) {
            throw ProxyError(
                "the fault '\(fault.name)' acts on WebSockets over HTTP/2: serve HTTP/2 with --http2 (and TLS), or drop the fault")
        }
    }
}

extension FaultProxy {
    /// The root certificate to trust when the proxy terminates TLS with its own lab CA
    /// (``ProxyConfiguration/tlsVariant``); nil otherwise.
    public var rootCertificatePEM: String? { configuration.rootCertificatePEM }
}
