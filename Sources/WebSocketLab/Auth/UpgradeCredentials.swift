import Foundation

/// Where the backend found the token on an upgrade request, in the documented order: the
/// `Sec-WebSocket-Protocol` entry `jwt.<token>` (raw or base64url-encoded), `Authorization: Bearer`, `?token=`.
public struct UpgradeCredentials: Sendable, Equatable {
    /// Which channel carried the token.
    public enum Source: String, Sendable, Equatable {
        case subprotocol
        case authorizationHeader = "authorization-header"
        case queryParameter = "query-parameter"
    }

    /// The token, when one was found.
    public var token: String?
    /// Where it was found.
    public var source: Source?
    /// Whether the client offered the `jwt-auth` subprotocol (the server then echoes it).
    public var offersJWTAuth: Bool

    /// Extracts the credentials from the request's header fields and URI.
    public init(headers: [(name: String, value: String)], uri: String) {
        let offered = headers.filter { $0.name.lowercased() == "sec-websocket-protocol" }
            .flatMap { $0.value.split(separator: ",") }
            .map { $0.trimmingCharacters(in: .whitespaces) }
        offersJWTAuth = offered.contains { $0.lowercased() == "jwt-auth" }
        token = nil
        source = nil
        if let entry = offered.first(where: { $0.lowercased().hasPrefix("jwt.") && $0.count > 4 }) {
            token = Self.decodeSubprotocolToken(String(entry.dropFirst(4)))
            source = .subprotocol
            return
        }
        if let auth = headers.first(where: { $0.name.lowercased() == "authorization" })?.value,
            auth.lowercased().hasPrefix("bearer ")
        {
            let value = auth.dropFirst(7).trimmingCharacters(in: .whitespaces)
            if !value.isEmpty {
                token = value
                source = .authorizationHeader
                return
            }
        }
        if let query = uri.split(separator: "?", maxSplits: 1).dropFirst().first {
            for pair in query.split(separator: "&") {
                let parts = pair.split(separator: "=", maxSplits: 1)
                guard parts.count == 2, parts[0] == "token" else { continue }
                let raw = String(parts[1]).replacingOccurrences(of: "+", with: " ")
                let value = raw.removingPercentEncoding ?? raw
                if !value.isEmpty {
                    token = value
                    source = .queryParameter
                    return
                }
            }
        }
    }

    /// A subprotocol token is a raw JWT (three dot-separated parts) or the base64url encoding of one.
    static func decodeSubprotocolToken(_ text: String) -> String {
        if text.split(separator: ".", omittingEmptySubsequences: false).count == 3 { return text }
        var b64 = text.replacingOccurrences(of: "-", with: "+").replacingOccurrences(of: "_", with: "/")
        while b64.count % 4 != 0 { b64 += "=" }
        if let data = Data(base64Encoded: b64), let decoded = String(data: data, encoding: .utf8),
            decoded.split(separator: ".", omittingEmptySubsequences: false).count == 3
        {
            return decoded
        }
        return text
    }
}
