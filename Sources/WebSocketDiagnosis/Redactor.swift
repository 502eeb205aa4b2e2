import Foundation

/// Removes secrets from everything that is recorded: header values, subprotocol entries,
/// query parameters, and any JWT-shaped or explicitly registered secret inside free text.
///
/// Pure and deterministic: the same input always gives the same output.
public struct Redactor: Sendable {
    /// What replaces a secret.
    public static let mask = "<redacted>"

    /// Header names whose whole value is a secret (compared case-insensitively).
    public var secretHeaders: Set<String>
    /// Query parameter names whose value is a secret (compared case-insensitively).
    public var secretQueryParameters: Set<String>
    /// Literal secrets to scrub wherever they appear (tokens and signing secrets given by the user).
    public var knownSecrets: [String]

    /// - Parameters:
    ///   - knownSecrets: literal strings to scrub anywhere (default none; values shorter than 4
    ///     characters are ignored so that a one-letter secret cannot blank a report).
    public init(
        secretHeaders: Set<String> = ["authorization", "proxy-authorization", "cookie", "set-cookie", "x-api-key", "x-auth-token"],
        secretQueryParameters: Set<String> = ["token", "access_token", "jwt", "auth", "key", "api_key", "apikey", "secret", "password", "signature", "sig"],
        knownSecrets: [String] = []
    ) {
        self.secretHeaders = Set(secretHeaders.map { $0.lowercased() })
        self.secretQueryParameters = Set(secretQueryParameters.map { $0.lowercased() })
        self.knownSecrets = Self.withEncodings(knownSecrets)
    }

    /// Base64url without padding: the form a token takes in the `jwt.<token>` subprotocol entry. The one
    /// implementation the probe, the redactor and the tests share, so the sent and the scrubbed forms match.
    public static func base64url(_ text: String) -> String {
        Data(text.utf8).base64EncodedString()
            .replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_")
            .replacingOccurrences(of: "=", with: "")
    }

    /// Each secret with the forms it travels in (percent-encoded, base64url), longest first.
    static func withEncodings(_ secrets: [String]) -> [String] {
        var all = Set<String>()
        for secret in secrets where secret.count >= 4 {
            all.insert(secret)
            if let encoded = secret.addingPercentEncoding(withAllowedCharacters: .alphanumerics), encoded != secret { all.insert(encoded) }
            all.insert(base64url(secret))
        }
        return all.sorted { $0.count > $1.count }
    }

    /// A copy that also scrubs `secrets`.
    public func adding(secrets: [String]) -> Redactor {
        var copy = self
        copy.knownSecrets = Self.withEncodings(knownSecrets + secrets)
        return copy
    }

    // MARK: - Headers

    /// Fragments that make a header or query-parameter name a secret's (`X-Access-Token`, `id_token`,
    /// `X-Amz-Security-Token`, `api-key`, `authToken`): exact lists cannot keep up with real names.
    static let secretNameFragments = ["token", "secret", "password", "passwd", "apikey", "api-key", "api_key", "signature", "credential", "session"]

    static func nameLooksSecret(_ lowercasedName: String) -> Bool {
        secretNameFragments.contains { lowercasedName.contains($0) }
    }

    /// Headers whose value is a URL: their query and userinfo are masked like any URL's.
    static let urlHeaders: Set<String> = ["location", "content-location", "referer", "origin"]

    /// The value of header `name` as it may be recorded.
    public func header(name: String, value: String) -> String {
        let lower = name.lowercased()
        if Self.urlHeaders.contains(lower) { return url(value) }
        if secretHeaders.contains(lower) || Self.nameLooksSecret(lower) {
            // Keep the scheme word of Authorization so a reader sees *how* auth was sent.
            if lower.hasSuffix("authorization"), let space = value.firstIndex(of: " ") {
                return String(value[..<space]) + " " + Self.mask
            }
            return Self.mask
        }
        if lower == "sec-websocket-protocol" {
            // Entries are redacted one by one; an entry that follows a marker (`access_token, <token>`,
            // `Bearer, <token>`) is the token itself.
            var afterMarker = false
            return value.split(separator: ",").map { raw -> String in
                let entry = String(raw).trimmingCharacters(in: .whitespaces)
                defer { afterMarker = ["access_token", "bearer", "token", "authorization"].contains(entry.lowercased()) }
                return afterMarker ? Self.mask : subprotocol(entry)
            }.joined(separator: ", ")
        }
        return text(value)
    }

    /// Redacts a list of header fields.
    public func headers(_ fields: [HeaderField]) -> [HeaderField] {
        fields.map { HeaderField($0.name, header(name: $0.name, value: $0.value)) }
    }

    /// One subprotocol entry: `jwt.<token>` becomes `jwt.<redacted>`, anything token-like is masked.
    public func subprotocol(_ entry: String) -> String {
        // Kubernetes: `base64url.bearer.authorization.k8s.io.<base64url token>`.
        if let k8s = entry.range(of: "bearer.authorization.k8s.io.", options: .caseInsensitive) {
            return String(entry[..<k8s.upperBound]) + Self.mask
        }
        if let dot = entry.firstIndex(of: "."), entry[..<dot].lowercased() == "jwt" || entry[..<dot].lowercased() == "token"
            || entry[..<dot].lowercased() == "bearer"
        {
            return String(entry[...dot]) + Self.mask
        }
        return text(entry)
    }

    // MARK: - URLs

    /// A URL or a path-with-query with secret query values masked.
    public func url(_ string: String) -> String {
        var rest = Substring(string)
        var fragment: Substring?
        if let hash = rest.firstIndex(of: "#") {
            fragment = rest[rest.index(after: hash)...]
            rest = rest[..<hash]
        }
        var query: Substring?
        if let q = rest.firstIndex(of: "?") {
            query = rest[rest.index(after: q)...]
            rest = rest[..<q]
        }
        // Userinfo (`wss://user:pass@host`) is a secret too, with or without a query.
        var out = text(stripUserinfo(String(rest)))
        if let query { out += "?" + text(maskParameters(query)) }
        // Fragments carry tokens too (`#access_token=…` in implicit OAuth flows).
        if let fragment { out += "#" + text(maskParameters(fragment)) }
        return out
    }

    /// `a=1&token=x` → `a=1&token=<redacted>`, by exact name or a secret-looking name.
    private func maskParameters(_ query: Substring) -> String {
        query.split(separator: "&", omittingEmptySubsequences: false).map { pair -> String in
            guard let eq = pair.firstIndex(of: "=") else { return String(pair) }
            let name = String(pair[..<eq])
            let decoded = (name.removingPercentEncoding ?? name).lowercased()
            if secretQueryParameters.contains(decoded) || Self.nameLooksSecret(decoded) { return name + "=" + Self.mask }
            return String(pair)
        }.joined(separator: "&")
    }

    private func stripUserinfo(_ s: String) -> String {
        guard let scheme = s.range(of: "://") else { return s }
        let rest = s[scheme.upperBound...]
        let authorityEnd = rest.firstIndex(of: "/") ?? rest.endIndex
        guard let at = rest[..<authorityEnd].lastIndex(of: "@") else { return s }
        return String(s[..<scheme.upperBound]) + Self.mask + String(rest[at...])
    }

    // MARK: - Free text

    /// Free text (frame previews, close reasons, error messages) with known secrets and
    /// anything shaped like a JWT (`eyJ….….…`) masked.
    public func text(_ string: String) -> String {
        var out = string
        for secret in knownSecrets where out.contains(secret) {
            out = out.replacingOccurrences(of: secret, with: Self.mask)
        }
        return Self.maskJWTs(in: out)
    }

    /// Masks every run that looks like a compact JWS (three base64url segments, the first starting `eyJ`).
    static func maskJWTs(in s: String) -> String {
        guard s.contains("eyJ") else { return s }
        var result = ""
        var rest = Substring(s)
        while let start = rest.range(of: "eyJ") {
            result += rest[..<start.lowerBound]
            var end = start.lowerBound
            var dots = 0
            var idx = start.lowerBound
            while idx < rest.endIndex {
                let c = rest[idx]
                if c == "." { dots += 1 } else if !(c.isASCII && (c.isLetter || c.isNumber || c == "-" || c == "_" || c == "=")) { break }
                idx = rest.index(after: idx)
                end = idx
            }
            if dots >= 2 {
                result += mask
            } else {
                result += rest[start.lowerBound..<end]
            }
            rest = rest[end...]
            if end == start.lowerBound { // cannot happen ("eyJ" consumed), but never loop forever
                result += rest.prefix(1)
                rest = rest.dropFirst()
            }
        }
        result += rest
        return result
    }
}
