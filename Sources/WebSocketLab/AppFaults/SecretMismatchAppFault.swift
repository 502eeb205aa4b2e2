/// `secret-mismatch[:secret=…]`: the backend verifies tokens with a different secret than the auth service
/// signs with, so every token is refused with 403 (`invalid-signature`), direct or not.
public struct SecretMismatchAppFault: AppFault {
    public static let name = "secret-mismatch"
    public static let parameterNames: Set<String> = ["secret"]
    public static let summary = "backend verifies JWTs with another secret than the auth service signs with (secret=…)"
    /// The backend's (wrong) secret.
    public let secret: String

    public init(spec: FaultSpec) throws(FaultSpecError) {
        try spec.rejectUnknownParameters(Self.parameterNames)
        secret = try spec.string("secret", default: "ws1011-lab-backend-secret-that-differs-from-auth")
    }

    public var verificationSecret: String? { secret }
}
