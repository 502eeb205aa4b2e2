/// `secret-mismatch[:secret=…]`: the backend verifies tokens with a different secret than the auth service
/// signs with, so every token is refused with 403 (`invalid-signature`), direct or not.
public struct SecretMismatchAppFault: BackendSettingsAppFault {
    public static let descriptor = FaultDescriptor(
        name: "secret-mismatch",
        summary: "backend verifies JWTs with another secret than the auth service signs with (secret=…)",
        parameters: [.init("secret", "the backend's (wrong) secret; default a fixed one")])

    /// The backend's (wrong) secret.
    public let secret: String

    public init(spec: FaultSpec) throws(FaultSpecError) {
        try Self.validate(spec)
        secret = try spec.string("secret", default: "ws1011-lab-backend-secret-that-differs-from-auth")
    }

    public func adjust(_ settings: inout AppBackendSettings) { settings.verificationSecret = secret }
}
