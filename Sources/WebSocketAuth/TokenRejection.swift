/// Why a token was not accepted; `code` is stable (JSON error codes, tests), `message` says what to fix.
public struct TokenRejection: Error, Sendable, Equatable, CustomStringConvertible {
    /// Stable code: `missing-token`, `malformed-token`, `unsupported-algorithm`, `invalid-signature`, `expired`,
    /// `not-yet-valid`, `issued-in-the-future`, `wrong-audience`, `wrong-issuer`, `wrong-token-type`.
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
    /// The header names an algorithm other than HS256 (`HS512`, `RS256`, `none`, …).
    public static func unsupportedAlgorithm(_ alg: String) -> TokenRejection {
        TokenRejection(
            code: "unsupported-algorithm",
            message: "unsupported algorithm \(printable(alg)); the lab signs and accepts HS256")
    }
    /// The signature does not match the secret.
    public static let invalidSignature = TokenRejection(
        code: "invalid-signature",
        message: "the token's signature does not match this service's secret (auth service and backend secrets differ?)")
    /// `exp` is in the past.
    public static let expired = TokenRejection(code: "expired", message: "the token has expired: refresh it or mint a new one")
    /// `nbf` is further ahead of this service's clock than the leeway allows.
    public static func notYetValid(secondsAhead: Int, leeway: Int) -> TokenRejection {
        TokenRejection(
            code: "not-yet-valid",
            message: "the token is not valid yet: its nbf is \(secondsAhead) s ahead of this service's clock (leeway \(leeway) s); "
                + "check the issuer's and this host's clocks")
    }
    /// `iat` is further ahead of this service's clock than the leeway allows.
    public static func issuedInTheFuture(secondsAhead: Int, leeway: Int) -> TokenRejection {
        TokenRejection(
            code: "issued-in-the-future",
            message: "the token was issued in the future: its iat is \(secondsAhead) s ahead of this service's clock (leeway \(leeway) s); "
                + "check the issuer's and this host's clocks")
    }
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

    /// Peer-chosen text in a message: at most 40 characters, control characters made visible.
    static func printable(_ text: String) -> String {
        var out = ""
        for scalar in text.unicodeScalars.prefix(40) {
            if scalar.value < 0x20 || (0x7F...0x9F).contains(scalar.value) {
                out += "\\u{" + String(scalar.value, radix: 16) + "}"
            } else {
                out.unicodeScalars.append(scalar)
            }
        }
        return "'" + out + (text.unicodeScalars.count > 40 ? "…" : "") + "'"
    }
}
