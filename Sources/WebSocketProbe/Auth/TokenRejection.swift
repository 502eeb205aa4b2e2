/// Why a token was not accepted; `code` is stable (JSON error codes, tests), `message` says what to fix.
public struct TokenRejection: Error, Sendable, Equatable, CustomStringConvertible {
    /// Stable code: `missing-token`, `malformed-token`, `invalid-signature`, `expired`, `wrong-audience`,
    /// `wrong-issuer`, `wrong-token-type`.
    public var code: String
    /// A sentence a person can act on (never contains the token).
    public var message: String

    public init(code: String, message: String) {
        self.code = code
        self.message = message
    }

    public var description: String { "\(code): \(message)" }

    /// No token was presented.
    public static let missingToken = TokenRejection(
        code: "missing-token",
        message: "no token: send Sec-WebSocket-Protocol 'jwt-auth, jwt.<token>', 'Authorization: Bearer <token>' or ?token=<token>")
    /// Not a compact JWS.
    public static func malformed(_ detail: String) -> TokenRejection {
        TokenRejection(code: "malformed-token", message: "the token is not a valid JWT (\(detail))")
    }
    /// The signature does not match the secret.
    public static let invalidSignature = TokenRejection(
        code: "invalid-signature",
        message: "the token's signature does not match this service's secret (auth service and backend secrets differ?)")
    /// `exp` is in the past.
    public static let expired = TokenRejection(code: "expired", message: "the token has expired: refresh it or mint a new one")
    /// `aud` is not what this service expects.
    public static func wrongAudience(got: String, expected: String) -> TokenRejection {
        TokenRejection(code: "wrong-audience", message: "the token's audience '\(got)' is not '\(expected)'")
    }
    /// `iss` is not what this service expects.
    public static func wrongIssuer(got: String, expected: String) -> TokenRejection {
        TokenRejection(code: "wrong-issuer", message: "the token's issuer '\(got)' is not '\(expected)'")
    }
    /// An access token where a refresh token was needed, or the reverse.
    public static func wrongType(got: LabTokenType, expected: LabTokenType) -> TokenRejection {
        TokenRejection(code: "wrong-token-type", message: "a \(got.rawValue) token was given where a \(expected.rawValue) token is needed")
    }
}
