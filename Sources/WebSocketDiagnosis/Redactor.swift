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
    /// Literal secrets to scrub wherever they appear (tokens and signing secrets given by the user), in
    /// every form of ``forms(of:)``, longest first.
    public private(set) var knownSecrets: [String]
    /// The secrets as registered, before their forms were added.
    private var registered: [String]

    /// - Parameters:
    ///   - knownSecrets: literal strings to scrub anywhere (default none; values shorter than 4
    ///     characters are ignored so that a one-letter secret cannot blank a report).
    public init(
        secretHeaders: Set<String> = ["authorization", "proxy-authorization", "cookie", "set-cookie", "x-api-key", "x-auth-token"],
        secretQueryParameters: Set<String> = [
            "token", "access_token", "jwt", "auth", "key", "api_key", "apikey", "secret", "password", "signature", "sig",
            "code", "ticket", "subscription-key", "sas",
        ],
        knownSecrets: [String] = []
    ) {
        self.secretHeaders = Set(secretHeaders.map { $0.lowercased() })
        self.secretQueryParameters = Set(secretQueryParameters.map { $0.lowercased() })
        self.registered = knownSecrets
        self.knownSecrets = Self.withEncodings(knownSecrets)
    }

    /// Base64url without padding: the form a token takes in the `jwt.<token>` subprotocol entry. The one
    /// implementation the probe, the redactor and the tests share, so the sent and the scrubbed forms match.
    public static func base64url(_ text: String) -> String {
        Data(text.utf8).base64EncodedString()
            .replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_")
            .replacingOccurrences(of: "=", with: "")
    }

    /// A value as ws1011 writes it into a URL query parameter (`?token=…`). The one implementation the
    /// probe uses to send and the redactor uses to scrub, so the two forms cannot drift apart.
    public static func queryEncoded(_ value: String) -> String {
        value.addingPercentEncoding(withAllowedCharacters: .urlQueryAllowed.subtracting(CharacterSet(charactersIn: "&=+#"))) ?? value
    }

    // MARK: - Secret forms

    /// Every form a secret can take on the wire (raw, percent-encoded as ws1011 and as common clients
    /// and servers write it, base64 and base64url) and every form an output or a peer's page may escape
    /// one of those into (JSON, XML and HTML escapes), longest first. Forms shorter than 4 characters
    /// are left out so that a tiny value cannot blank a report.
    public static func forms(of secret: String) -> [String] {
        guard secret.count >= 4 else { return [] }
        var wire: Set<String> = [secret]
        let percentSets: [CharacterSet] = [
            .alphanumerics, .urlQueryAllowed, .urlQueryAllowed.subtracting(CharacterSet(charactersIn: "&=+#")),
            CharacterSet(charactersIn: "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-._~"),
        ]
        for set in percentSets {
            guard let encoded = secret.addingPercentEncoding(withAllowedCharacters: set), encoded != secret else { continue }
            wire.insert(encoded)
            wire.insert(lowercasedPercentEscapes(encoded))
            wire.insert(encoded.replacingOccurrences(of: "%20", with: "+"))
        }
        let base64 = Data(secret.utf8).base64EncodedString()
        wire.insert(base64)
        wire.insert(base64.replacingOccurrences(of: "=", with: ""))
        wire.insert(base64url(secret))
        var all = wire
        for form in wire {
            all.insert(jsonEscaped(form))
            all.insert(jsonEscaped(form, slashes: false))
            for variant in xmlEscapedVariants(form) { all.insert(variant) }
        }
        return all.filter { $0.count >= 4 }.sorted { $0.count != $1.count ? $0.count > $1.count : $0 < $1 }
    }

    /// Each secret with every form of ``forms(of:)``, longest first.
    static func withEncodings(_ secrets: [String]) -> [String] {
        var all = Set<String>()
        for secret in secrets { all.formUnion(forms(of: secret)) }
        return all.sorted { $0.count != $1.count ? $0.count > $1.count : $0 < $1 }
    }

    /// `%2F` → `%2f`: servers and clients disagree on the case of percent escapes.
    static func lowercasedPercentEscapes(_ s: String) -> String {
        var out = ""
        var pending = 0
        for c in s {
            if c == "%" { pending = 2; out.append(c); continue }
            if pending > 0 { pending -= 1; out += c.lowercased(); continue }
            out.append(c)
        }
        return out
    }

    /// The text as a JSON string literal's contents: `"`, `\`, control characters and (by default) `/`
    /// escaped, non-ASCII as `\uXXXX` (what JSONEncoder and many servers' serialisers write).
    static func jsonEscaped(_ s: String, slashes: Bool = true) -> String {
        var out = ""
        for unit in s.utf16 {
            switch unit {
            case 0x22: out += "\\\""
            case 0x5C: out += "\\\\"
            case 0x2F where slashes: out += "\\/"
            case 0x20..<0x7F: out.append(Character(UnicodeScalar(unit)!))
            default: out += String(format: "\\u%04x", unit)
            }
        }
        return out
    }

    /// The text with XML/HTML escapes, in the spellings servers' templates use.
    static func xmlEscapedVariants(_ s: String) -> [String] {
        guard s.contains(where: { "&<>\"'/".contains($0) }) else { return [] }
        func esc(_ quote: String, _ apos: String, _ slash: String?) -> String {
            var out = ""
            for c in s {
                switch c {
                case "&": out += "&amp;"
                case "<": out += "&lt;"
                case ">": out += "&gt;"
                case "\"": out += quote
                case "'": out += apos
                case "/": out += slash ?? "/"
                default: out.append(c)
                }
            }
            return out
        }
        return [
            esc("&quot;", "&apos;", nil), esc("&#34;", "&#39;", nil), esc("&quot;", "&#x27;", "&#x2F;"), esc("&quot;", "&#39;", "&#x2F;"),
        ]
    }

    /// The secrets as registered, before their forms were added (to merge two redactors).
    public var knownSecretsAsRegistered: [String] { registered }

    /// A copy that also scrubs `secrets` (in every form of ``forms(of:)``).
    public func adding(secrets: [String]) -> Redactor {
        let new = secrets.filter { $0.count >= 4 && !registered.contains($0) }
        guard !new.isEmpty else { return self }
        var copy = self
        copy.registered += new
        copy.knownSecrets = Self.withEncodings(copy.registered)
        return copy
    }

    // MARK: - Finding the secrets in what the user gave

    /// The secrets a URL carries: the values of secret-named query and fragment parameters (raw and
    /// decoded) and the userinfo (whole, and the password alone).
    public func secrets(inURL string: String) -> [String] {
        var found: [String] = []
        var rest = Substring(string)
        if let scheme = rest.range(of: "://") {
            let afterScheme = rest[scheme.upperBound...]
            var authorityEnd = afterScheme.firstIndex(where: { $0 == "/" || $0 == "?" || $0 == "#" }) ?? afterScheme.endIndex
            // A password typed with a raw `/` (`ws://user:pa/ss@host`) ends the authority early; the user
            // meant it as userinfo all the same, and a secret is better over-registered than printed.
            let beforeQuery = afterScheme.firstIndex(where: { $0 == "?" || $0 == "#" }) ?? afterScheme.endIndex
            let authority = afterScheme[..<authorityEnd]
            let portText = authority.hasPrefix("[") ? "" : authority.split(separator: ":", maxSplits: 1).dropFirst().first ?? ""
            if !portText.isEmpty, !portText.allSatisfy { $0.isNumber }, afterScheme[..<beforeQuery].contains("@") {
                authorityEnd = beforeQuery
            }
            if let at = afterScheme[..<authorityEnd].lastIndex(of: "@") {
                let userinfo = String(afterScheme[..<at])
                found.append(userinfo)
                if let colon = userinfo.firstIndex(of: ":") { found.append(String(userinfo[userinfo.index(after: colon)...])) }
            }
            rest = afterScheme
        }
        for separator: Character in ["?", "#"] {
            guard let start = rest.firstIndex(of: separator) else { continue }
            var part = rest[rest.index(after: start)...]
            if separator == "?", let hash = part.firstIndex(of: "#") { part = part[..<hash] }
            for pair in part.split(separator: "&") {
                guard let eq = pair.firstIndex(of: "=") else { continue }
                let name = String(pair[..<eq])
                let decodedName = (name.removingPercentEncoding ?? name).lowercased()
                guard secretQueryParameters.contains(decodedName) || Self.nameLooksSecret(decodedName) else { continue }
                let value = String(pair[pair.index(after: eq)...])
                found.append(value)
                if let decoded = value.replacingOccurrences(of: "+", with: " ").removingPercentEncoding { found.append(decoded) }
            }
        }
        return found.flatMap { value -> [String] in
            guard let decoded = value.removingPercentEncoding, decoded != value else { return [value] }
            return [value, decoded]
        }
    }

    /// The secrets a request header carries: for a secret header its value, the credential after the
    /// scheme word, and for `Basic` the decoded `user:password` and the password.
    public func secrets(inHeader name: String, value: String) -> [String] {
        let lower = name.lowercased()
        if lower == "sec-websocket-protocol" {
            return value.split(separator: ",").flatMap { secrets(inSubprotocol: $0.trimmingCharacters(in: .whitespaces)) }
                + afterMarkerEntries(value)
        }
        if Self.urlHeaders.contains(lower) { return secrets(inURL: value) }
        guard secretHeaders.contains(lower) || Self.nameLooksSecret(lower) else { return [] }
        var found = [value]
        if let space = value.firstIndex(of: " ") {
            let scheme = value[..<space].lowercased()
            let credential = value[value.index(after: space)...].trimmingCharacters(in: .whitespaces)
            found.append(credential)
            if scheme == "basic", let data = Data(base64Encoded: credential), let decoded = String(data: data, encoding: .utf8) {
                found.append(decoded)
                if let colon = decoded.firstIndex(of: ":") { found.append(String(decoded[decoded.index(after: colon)...])) }
            }
        }
        if lower == "cookie" {
            // Session cookies are long random values; short ones (`consent=true`) are not worth scrubbing
            // from every text, where they would mangle ordinary words.
            for part in value.split(separator: ";") {
                guard let eq = part.firstIndex(of: "=") else { continue }
                let name = part[..<eq].trimmingCharacters(in: .whitespaces).lowercased()
                let cookie = String(part[part.index(after: eq)...])
                if cookie.count >= 8 || Self.nameLooksSecret(name) { found.append(cookie) }
            }
        }
        return found
    }

    /// The secret a subprotocol entry carries (`jwt.<token>`, `bearer.<token>`, the Kubernetes form),
    /// and its base64url-decoded form, which a server may echo after decoding it.
    public func secrets(inSubprotocol entry: String) -> [String] {
        var token: String?
        if let k8s = entry.range(of: "bearer.authorization.k8s.io.", options: .caseInsensitive) {
            token = String(entry[k8s.upperBound...])
        } else if let dot = entry.firstIndex(of: "."), ["jwt", "token", "bearer"].contains(entry[..<dot].lowercased()) {
            token = String(entry[entry.index(after: dot)...])
        }
        guard let token, !token.isEmpty else { return [] }
        var found = [token]
        if let decoded = Self.base64urlDecoded(token), decoded.unicodeScalars.allSatisfy({ $0.value >= 0x20 && $0.value != 0x7F }) {
            found.append(decoded)
        }
        return found
    }

    /// Entries that follow a marker (`access_token, <token>`): the token itself.
    private func afterMarkerEntries(_ value: String) -> [String] {
        var found: [String] = []
        var afterMarker = false
        for raw in value.split(separator: ",") {
            let entry = raw.trimmingCharacters(in: .whitespaces)
            if afterMarker { found.append(entry) }
            afterMarker = ["access_token", "bearer", "token", "authorization"].contains(entry.lowercased())
        }
        return found
    }

    static func base64urlDecoded(_ s: String) -> String? {
        var b = s.replacingOccurrences(of: "-", with: "+").replacingOccurrences(of: "_", with: "/")
        while b.count % 4 != 0 { b += "=" }
        guard let data = Data(base64Encoded: b) else { return nil }
        return String(data: data, encoding: .utf8)
    }

    /// A copy that also scrubs every secret of a request: its URL's secret parameters and userinfo, its
    /// secret headers and its token-bearing subprotocol entries.
    public func adding(url: String? = nil, headers: [HeaderField] = [], subprotocols: [String] = []) -> Redactor {
        var found: [String] = []
        if let url { found += secrets(inURL: url) }
        for h in headers {
            found += secrets(inHeader: h.name, value: h.value)
            if !Self.harmlessHeaders.contains(h.name.lowercased()), h.value.count >= 8 { found.append(h.value) }
        }
        for entry in subprotocols { found += secrets(inSubprotocol: entry) }
        found += afterMarkerEntries(subprotocols.joined(separator: ","))
        return adding(secrets: found)
    }

    // MARK: - Headers

    /// Fragments that make a header or query-parameter name a secret's (`X-Access-Token`, `id_token`,
    /// `X-Amz-Security-Token`, `api-key`, `authToken`): exact lists cannot keep up with real names.
    static let secretNameFragments = [
        "token", "secret", "password", "passwd", "apikey", "api-key", "api_key", "signature", "credential", "session",
        // `Ocp-Apim-Subscription-Key`, `x-functions-key`, `X-Auth-User`, `subscription-key`.
        "-key", "_key", "auth", "subscription",
    ]

    /// Request headers whose values are not credentials; every other header a user gives is treated as
    /// one (a custom header is how many APIs take a key), when its value is long enough to be one.
    static let harmlessHeaders: Set<String> = [
        "host", "origin", "user-agent", "accept", "accept-language", "accept-encoding", "cache-control", "pragma",
        "content-type", "traceparent", "tracestate", "x-request-id", "x-correlation-id", "sec-websocket-extensions",
        "sec-websocket-version", "x-forwarded-for", "x-forwarded-proto", "x-forwarded-host", "forwarded", "referer",
    ]

    static func nameLooksSecret(_ lowercasedName: String) -> Bool {
        // The handshake's own key and accept values are nonces, not credentials.
        if lowercasedName == "sec-websocket-key" || lowercasedName == "sec-websocket-accept" { return false }
        return secretNameFragments.contains { lowercasedName.contains($0) }
    }

    /// Headers whose value is a URL: their query and userinfo are masked like any URL's.
    static let urlHeaders: Set<String> = ["location", "content-location", "referer", "origin", ":path"]

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
        if let dot = entry.firstIndex(of: "."),
            entry[..<dot].lowercased() == "jwt" || entry[..<dot].lowercased() == "token"
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
        out = maskCutSecrets(in: out)
        return Self.maskJWTs(in: out)
    }

    /// The shortest piece of a secret, at a text's start or end, that is masked as part of it.
    static let partialSecretMinimum = 8

    /// Masks the start or end of `text` when it is a piece of a known secret: what is left of a secret
    /// after a cut (a 64-character preview, a 4 KiB body preview, a close reason the peer truncated).
    func maskCutSecrets(in text: String) -> String {
        let n = Self.partialSecretMinimum
        guard text.count >= n else { return text }
        var out = text
        for form in knownSecrets where form.count > n {
            // The text ends with the first k characters of the form.
            let tail = String(out.suffix(n))
            if let r = form.range(of: tail) {
                let piece = form[..<r.upperBound]
                if piece.count >= n, piece.count < form.count, out.hasSuffix(piece) {
                    out = String(out.dropLast(piece.count)) + Self.mask
                }
            }
            // The text starts with the last k characters of the form.
            let head = String(out.prefix(n))
            if let r = form.range(of: head, options: .backwards) {
                let piece = form[r.lowerBound...]
                if piece.count >= n, piece.count < form.count, out.hasPrefix(piece) {
                    out = Self.mask + String(out.dropFirst(piece.count))
                }
            }
        }
        return out
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
            // Three segments, or two long ones: a token cut after its header or its payload is still a token.
            if dots >= 2 || (dots == 1 && rest.distance(from: start.lowerBound, to: end) >= 40) {
                result += mask
            } else {
                result += rest[start.lowerBound..<end]
            }
            rest = rest[end...]
            if end == start.lowerBound {  // cannot happen ("eyJ" consumed), but never loop forever
                result += rest.prefix(1)
                rest = rest.dropFirst()
            }
        }
        result += rest
        return result
    }
}
