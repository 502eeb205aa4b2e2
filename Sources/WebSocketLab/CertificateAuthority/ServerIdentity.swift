/// A server's certificate chain (leaf first) and private key, as PEM.
public struct ServerIdentity: Sendable {
    /// The chain to present, leaf first.
    public var certificateChainPEM: [String]
    /// The leaf's private key (PKCS#8 PEM).
    public var privateKeyPEM: String

    /// An identity from its PEM parts.
    public init(certificateChainPEM: [String], privateKeyPEM: String) {
        self.certificateChainPEM = certificateChainPEM
        self.privateKeyPEM = privateKeyPEM
    }
}
