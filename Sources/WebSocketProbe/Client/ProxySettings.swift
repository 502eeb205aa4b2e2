import Foundation
import WebSocketDiagnosis

/// A forward HTTP proxy that connections tunnel through with `CONNECT` (`--proxy`, or `https_proxy`,
/// `http_proxy`, `all_proxy` and `NO_PROXY` read as curl reads them). WebSockets always tunnel, as browsers
/// do, for `ws://` as well as `wss://`.
public struct ProxySettings: Sendable, Equatable {
    /// The proxy's host (a name or an address, without brackets).
    public var host: String
    /// Its port (default 1080, as curl assumes).
    public var port: Int
    /// Credentials for `Proxy-Authorization: Basic`, from the URL's user part (secrets: scrubbed everywhere).
    public var username: String?
    /// The password, percent-decoded.
    public var password: String?
    /// Where the proxy came from (`--proxy`, `https_proxy`, …), for the report.
    public var source: String
    /// Hosts that do not go through the proxy, as `NO_PROXY` lists them (default none; see
    /// ``bypasses(_:host:)``).
    public var exemptions: String = ""

    /// A proxy at `host`:`port` named by `source`.
    public init(host: String, port: Int, username: String? = nil, password: String? = nil, source: String) {
        self.host = host
        self.port = port
        self.username = username
        self.password = password
        self.source = source
    }

    /// Whether a connection to `host` goes through this proxy (it is not exempted).
    public func applies(to host: String) -> Bool { !Self.bypasses(exemptions, host: host) }

    /// `host:port`, never with credentials.
    public var address: String { host.contains(":") ? "[\(host)]:\(port)" : "\(host):\(port)" }

    /// The `Proxy-Authorization` value, when credentials were given.
    var authorization: String? {
        guard let username else { return nil }
        return "Basic " + Data("\(username):\(password ?? "")".utf8).base64EncodedString()
    }

    /// The secrets to scrub from every output: the password (and the user with it), raw and as sent.
    public var secrets: [String] {
        var secrets: [String] = []
        if let password, !password.isEmpty { secrets.append(password) }
        if let authorization { secrets.append(String(authorization.dropFirst("Basic ".count))) }
        return secrets
    }

    // MARK: - Parsing

    /// Parses a proxy URL as curl takes it: `[http://][USER[:PASSWORD]@]HOST[:PORT]`. Only `http://` proxies
    /// are spoken (a TLS connection to the proxy itself, `https://`, and SOCKS are not).
    /// - Throws: ``ProbeError`` naming what is wrong (without the credentials) and the form to use.
    public static func parse(_ text: String, source: String) throws(ProbeError) -> ProxySettings {
        let form = "write it as http://HOST:PORT or http://USER:PASSWORD@HOST:PORT"
        var rest = Substring(text.trimmingCharacters(in: .whitespaces))
        func failure(_ reason: String) -> ProbeError {
            ProbeError(
                description: "invalid proxy from \(source) '\(Redactor().url(Self.withoutCredentials(text)))': \(reason); \(form)",
                shortDescription: "invalid-proxy")
        }
        guard !rest.unicodeScalars.contains(where: { $0.value < 0x20 || $0.value == 0x7F || $0 == " " }) else {
            throw failure("it contains spaces or control characters")
        }
        if let scheme = rest.range(of: "://") {
            let name = rest[..<scheme.lowerBound].lowercased()
            guard name == "http" else {
                throw failure(
                    name == "https"
                        ? "a TLS connection to the proxy itself (https://) is not supported"
                        : "'\(name)://' proxies are not supported, only http://")
            }
            rest = rest[scheme.upperBound...]
        }
        if let slash = rest.firstIndex(of: "/") {
            guard rest[slash...].allSatisfy({ $0 == "/" }) else { throw failure("a proxy URL has no path") }
            rest = rest[..<slash]
        }
        var username: String?
        var password: String?
        if let at = rest.lastIndex(of: "@") {
            let user = rest[..<at]
            rest = rest[rest.index(after: at)...]
            let parts = user.split(separator: ":", maxSplits: 1, omittingEmptySubsequences: false)
            username = String(parts[0]).removingPercentEncoding ?? String(parts[0])
            if parts.count > 1 { password = String(parts[1]).removingPercentEncoding ?? String(parts[1]) }
            guard username?.isEmpty == false else { throw failure("the user name before '@' is empty") }
        }
        var host = rest
        var port = 1080
        if host.hasPrefix("[") {
            guard let close = host.firstIndex(of: "]") else { throw failure("an IPv6 address is missing its ']'") }
            let after = host[host.index(after: close)...]
            if after.hasPrefix(":") {
                guard let p = Int(after.dropFirst()), (1...65535).contains(p) else {
                    throw failure("'\(after.dropFirst())' is not a port (1–65535)")
                }
                port = p
            } else if !after.isEmpty {
                throw failure("unexpected text after the IPv6 address")
            }
            host = host[host.index(after: host.startIndex)..<close]
        } else if let colon = host.lastIndex(of: ":") {
            let text = host[host.index(after: colon)...]
            guard let p = Int(text), (1...65535).contains(p) else { throw failure("'\(text)' is not a port (1–65535)") }
            port = p
            host = host[..<colon]
        }
        guard !host.isEmpty, host.allSatisfy({ $0.isLetter || $0.isNumber || ".-_:".contains($0) }) else {
            throw failure("the host is empty or not a host name")
        }
        return ProxySettings(host: String(host), port: port, username: username, password: password, source: source)
    }

    /// The proxy the environment names for `url`, as curl picks it: `https_proxy`/`HTTPS_PROXY` for `wss://`,
    /// `http_proxy` (lower case only: `HTTP_PROXY` can be set by a CGI request header) for `ws://`, then
    /// `all_proxy`/`ALL_PROXY`; `nil` when none is set or `NO_PROXY`/`no_proxy` exempts the host.
    /// - Throws: ``ProbeError`` when the variable that applies holds no usable proxy URL.
    public static func fromEnvironment(_ environment: [String: String], for url: WebSocketURL) throws(ProbeError) -> ProxySettings? {
        let names = url.isSecure ? ["https_proxy", "HTTPS_PROXY", "all_proxy", "ALL_PROXY"] : ["http_proxy", "all_proxy", "ALL_PROXY"]
        guard let name = names.first(where: { !(environment[$0] ?? "").isEmpty }), let value = environment[name] else { return nil }
        let noProxy = environment["no_proxy"] ?? environment["NO_PROXY"] ?? ""
        if bypasses(noProxy, host: url.host) { return nil }
        var proxy = try parse(value, source: name)
        proxy.exemptions = noProxy
        return proxy
    }

    /// Whether the `NO_PROXY` list exempts `host`, as curl reads it: `*` exempts every host; each entry
    /// matches the host itself or any name under it (a leading dot is optional); an address matches only
    /// itself, and an IPv4 `a.b.c.d/n` range the addresses in it.
    public static func bypasses(_ list: String, host: String) -> Bool {
        let host = host.lowercased().trimmingCharacters(in: CharacterSet(charactersIn: "[]"))
        for raw in list.split(separator: ",") {
            var entry = raw.trimmingCharacters(in: .whitespaces).lowercased()
            if entry == "*" { return true }
            if entry.hasPrefix("[") { entry = entry.trimmingCharacters(in: CharacterSet(charactersIn: "[]")) }
            if entry.contains("/"), let match = ipv4(host), let (network, bits) = cidr(entry) {
                let mask: UInt32 = bits == 0 ? 0 : ~UInt32(0) << (32 - UInt32(bits))
                if match & mask == network & mask { return true }
                continue
            }
            if entry.hasPrefix(".") { entry.removeFirst() }
            guard !entry.isEmpty else { continue }
            if host == entry || host.hasSuffix("." + entry) { return true }
        }
        return false
    }

    private static func ipv4(_ text: String) -> UInt32? {
        let parts = text.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 4 else { return nil }
        var value: UInt32 = 0
        for part in parts {
            guard let byte = UInt8(part) else { return nil }
            value = value << 8 | UInt32(byte)
        }
        return value
    }

    private static func cidr(_ text: String) -> (UInt32, Int)? {
        let parts = text.split(separator: "/")
        guard parts.count == 2, let network = ipv4(String(parts[0])), let bits = Int(parts[1]), (0...32).contains(bits) else { return nil }
        return (network, bits)
    }

    /// `text` with any `user:password@` removed, for messages.
    static func withoutCredentials(_ text: String) -> String {
        guard let at = text.lastIndex(of: "@") else { return text }
        let start = text.range(of: "://")?.upperBound ?? text.startIndex
        guard start <= at else { return text }
        return String(text[..<start]) + "…@" + String(text[text.index(after: at)...])
    }
}
