/// Which server certificate the lab presents: a healthy chain or one specific TLS fault.
public enum TLSVariant: String, CaseIterable, Sendable, Codable {
    /// Leaf for the lab's hosts plus the intermediate: verifies against the lab's root.
    case valid
    /// Leaf whose validity ended yesterday.
    case expired
    /// Leaf valid only from tomorrow.
    case notYetValid = "not-yet-valid"
    /// Leaf for `wrong.example.invalid` only.
    case wrongHost = "wrong-host"
    /// A self-signed leaf, not issued by the lab's CA.
    case selfSigned = "self-signed"
    /// The valid leaf without its intermediate.
    case noIntermediate = "no-intermediate"
}
