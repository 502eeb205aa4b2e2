import Crypto
import Foundation

/// Who may use the fault proxy's admin API: the checks every request passes before it is routed (sans I/O).
///
/// A web page open in the user's browser can send requests to `127.0.0.1`: a "simple" cross-origin POST
/// (`Content-Type: text/plain`, no preflight), or, after DNS rebinding (its own name re-resolved to
/// `127.0.0.1`), any request with its own name in `Host`. So, in this order:
/// 1. **Host** must name this listener: the listen address itself; for a loopback listener also `localhost`,
///    `127.0.0.1` and `[::1]`; for a wildcard listener (`0.0.0.0`, `::`) any IP literal, `localhost` and this
///    machine's name. A port, when given, must be the admin port (none means 80). Otherwise 403 (400 without Host).
/// 2. **Origin**, when present (browsers send it), must be the admin API's own origin, `http://` + the Host. 403.
/// 3. **Changes** (every method but GET, HEAD, OPTIONS, TRACE) need `Authorization: Bearer TOKEN` when a token is
///    set (401 otherwise), or else `Content-Type: application/json` — which a browser sends cross-origin only
///    after a CORS preflight, and the API answers none (415 otherwise).
public struct AdminRequestPolicy: Sendable {
    /// The address the admin API listens on (`127.0.0.1`, `::1`, `0.0.0.0`, a name).
    public var listenHost: ListenHost
    /// The port it listens on (the bound one, never 0).
    public var port: Int
    /// The bearer token changes need; nil: changes need `Content-Type: application/json` instead.
    public var token: String?
    /// This machine's name, accepted in Host on a wildcard listener; default from `gethostname`.
    public var machineName: String?

    /// - Parameters:
    ///   - listenHost: the admin API's listen address.
    ///   - port: its bound port.
    ///   - token: default none.
    ///   - machineName: default this machine's name.
    public init(listenHost: String, port: Int, token: String? = nil, machineName: String? = ListenHost.machineName()) {
        self.listenHost = ListenHost(listenHost)
        self.port = port
        self.token = token
        self.machineName = machineName
    }

    /// Methods that change nothing (RFC 9110 §9.2.1).
    public static let safeMethods: Set<String> = ["GET", "HEAD", "OPTIONS", "TRACE"]

    /// Whether `method` changes state (needs the token or a JSON content type).
    public static func isChange(_ method: String) -> Bool { !safeMethods.contains(method.uppercased()) }

    /// Checks a request's head; nil when it may be routed.
    public func check(method: String, headers: [(name: String, value: String)]) -> AdminRefusal? {
        func values(_ name: String) -> [String] {
            headers.filter { $0.name.caseInsensitiveCompare(name) == .orderedSame }.map { $0.value.trimmingCharacters(in: .whitespaces) }
        }
        // 1. Host
        let hosts = values("Host")
        guard let host = hosts.first, hosts.count == 1 else {
            return AdminRefusal(
                status: 400,
                message: hosts.isEmpty
                    ? "the request has no Host header: send Host: \(ownAuthority) (curl and browsers do)"
                    : "the request has \(hosts.count) Host headers: send exactly one")
        }
        guard accepts(host: host) else {
            return AdminRefusal(
                status: 403,
                message: "Host \(AdminRefusal.quoted(host, limit: 100)) is not this admin API's address (\(ownAuthority)): requests "
                    + "naming another host are refused, as a web page using DNS rebinding would send them. Use http://\(ownAuthority)")
        }
        // 2. Origin
        let origins = values("Origin")
        if !origins.isEmpty {
            let own = "http://" + host.lowercased()
            guard origins.count == 1, origins[0].lowercased() == own else {
                return AdminRefusal(
                    status: 403,
                    message: "Origin \(AdminRefusal.quoted(origins.joined(separator: ", "), limit: 100)) is not this admin API's origin "
                        + "(\(own)): cross-origin requests (a web page in a browser) are refused; use curl or a script")
            }
        }
        // 3. Changes
        guard Self.isChange(method) else { return nil }
        if let token {
            let authorization = values("Authorization")
            guard authorization.count == 1, authorization[0].count > 7, authorization[0].prefix(7).lowercased() == "bearer " else {
                return AdminRefusal(
                    status: 401,
                    message: "changes need Authorization: Bearer TOKEN (the admin token given by --admin-token-file or WS1011_ADMIN_TOKEN)")
            }
            let given = authorization[0].dropFirst(7).trimmingCharacters(in: .whitespaces)
            guard Self.constantTimeEqual(given, token) else {
                return AdminRefusal(
                    status: 401, message: "the bearer token is not the admin token: check --admin-token-file or WS1011_ADMIN_TOKEN")
            }
            return nil
        }
        let types = values("Content-Type")
        let media = types.first?.split(separator: ";", maxSplits: 1, omittingEmptySubsequences: false).first
            .map { $0.trimmingCharacters(in: .whitespaces).lowercased() }
        guard types.count == 1, media == "application/json" else {
            return AdminRefusal(
                status: 415,
                message:
                    "changes need Content-Type: application/json (got \(types.isEmpty ? "none" : AdminRefusal.quoted(types.joined(separator: ", "), limit: 60))): "
                    + "send e.g. curl -H 'Content-Type: application/json' -d '{\"name\":\"idle-timeout\",\"parameters\":{\"after\":\"2s\"}}'"
            )
        }
        return nil
    }

    /// `HOST:PORT` of this admin API as a client should write it.
    public var ownAuthority: String { "\(listenHost.urlHost):\(port)" }

    /// Whether a Host header value names this listener (see the type's documentation).
    public func accepts(host value: String) -> Bool {
        let text = value.lowercased()
        var name: String
        var portText: String?
        if text.hasPrefix("[") {
            guard let close = text.firstIndex(of: "]") else { return false }
            name = String(text[text.index(after: text.startIndex)..<close])
            let rest = text[text.index(after: close)...]
            if !rest.isEmpty {
                guard rest.hasPrefix(":") else { return false }
                portText = String(rest.dropFirst())
            }
            guard ListenHost.isIPLiteral(name), name.contains(":") else { return false }
        } else {
            let colons = text.filter { $0 == ":" }.count
            guard colons <= 1 else { return false }  // an IPv6 literal in Host needs brackets
            if let colon = text.firstIndex(of: ":") {
                name = String(text[..<colon])
                portText = String(text[text.index(after: colon)...])
            } else {
                name = text
            }
        }
        let givenPort: Int
        if let portText {
            guard portText.count <= 5, portText.allSatisfy(\.isASCIIDigitLike), let p = Int(portText), String(p) == portText else {
                return false
            }
            givenPort = p
        } else {
            givenPort = 80
        }
        guard givenPort == port, !name.isEmpty else { return false }
        return acceptedNames(contains: name)
    }

    private func acceptedNames(contains name: String) -> Bool {
        let own = listenHost.host.lowercased()
        if name == own { return true }
        if ListenHost.isIPLiteral(name), ListenHost.isIPLiteral(own), Self.sameAddress(name, own) { return true }
        let loopbackNames = ["localhost", "127.0.0.1", "::1"]
        if listenHost.isLoopback, loopbackNames.contains(name) { return true }
        if listenHost.isWildcard {
            if ListenHost.isIPLiteral(name) || name == "localhost" { return true }
            if let machine = machineName?.lowercased(), !machine.isEmpty, name == machine { return true }
        }
        return false
    }

    /// `::1` and `0:0:0:0:0:0:0:1` are the same address.
    private static func sameAddress(_ a: String, _ b: String) -> Bool {
        guard let x = ListenHost.addressBytes(a) else { return false }
        return x == ListenHost.addressBytes(b)
    }

    /// Compares without an early exit, so response times tell nothing about the token.
    static func constantTimeEqual(_ a: String, _ b: String) -> Bool {
        let x = Array(SHA256.hash(data: Array(a.utf8))), y = Array(SHA256.hash(data: Array(b.utf8)))
        var difference: UInt8 = 0
        for i in 0..<x.count { difference |= x[i] ^ y[i] }
        return difference == 0
    }
}

extension Character {
    fileprivate var isASCIIDigitLike: Bool { ("0"..."9").contains(self) }
}
