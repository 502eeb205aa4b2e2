import Foundation

/// A parsed `ws://` or `wss://` URL (RFC 6455 §3).
public struct WebSocketURL: Sendable, Equatable, CustomStringConvertible {
    /// `ws` or `wss` (lower case).
    public var scheme: String
    /// The host, without brackets for IPv6 literals.
    public var host: String
    /// The port; defaults to 80 for `ws` and 443 for `wss`.
    public var port: Int
    /// Path and query, at least `/`.
    public var resource: String
    /// `true` for `wss`.
    public var isSecure: Bool

    /// Parses `string`; only `ws://` and `wss://` are accepted.
    ///
    /// - Throws: ``ProbeError/malformedURL(_:reason:)`` saying what is wrong.
    public init(parsing string: String) throws(ProbeError) {
        let input = string.trimmingCharacters(in: .whitespaces)
        func fail(_ reason: String) -> ProbeError { .malformedURL(string, reason: reason) }
        guard !input.isEmpty else { throw fail("the URL is empty") }
        guard input.unicodeScalars.allSatisfy({ $0.value > 0x20 && $0.value != 0x7F }) else {
            throw fail("it contains spaces or control characters (percent-encode them)")
        }
        guard let sep = input.range(of: "://") else {
            throw fail("it has no scheme")
        }
        let scheme = input[..<sep.lowerBound].lowercased()
        switch scheme {
        case "ws", "wss": break
        case "http", "https":
            throw fail("the scheme is \(scheme)://, a WebSocket URL uses \(scheme == "https" ? "wss" : "ws")://")
        default:
            throw fail("unsupported scheme '\(scheme)' (only ws:// and wss://)")
        }
        let rest = input[sep.upperBound...]
        guard !rest.contains("#") else { throw fail("WebSocket URLs must not have a fragment ('#…')") }
        let authorityEnd = rest.firstIndex(where: { $0 == "/" || $0 == "?" }) ?? rest.endIndex
        let authority = rest[..<authorityEnd]
        var resource = String(rest[authorityEnd...])
        if resource.isEmpty { resource = "/" } else if resource.hasPrefix("?") { resource = "/" + resource }
        // Credentials are refused before the port is parsed, so no part of a password is quoted back
        // (`ws://user:pa/ss@host`: the raw `/` would end the authority inside the password).
        let beforeQuery = rest.firstIndex(where: { $0 == "?" }) ?? rest.endIndex
        let afterColon = authority.hasPrefix("[") ? "" : authority.split(separator: ":", maxSplits: 1).dropFirst().first ?? ""
        let passwordLike = !afterColon.isEmpty && !afterColon.allSatisfy { $0.isNumber } && rest[..<beforeQuery].contains("@")
        guard !authority.contains("@"), !passwordLike else {
            throw fail("credentials in the URL are not supported; send them as a header instead")
        }
        var host: Substring
        var portText: Substring? = nil
        if authority.hasPrefix("[") {
            guard let close = authority.firstIndex(of: "]") else { throw fail("the IPv6 address has no closing ']'") }
            host = authority[authority.index(after: authority.startIndex)..<close]
            let after = authority[authority.index(after: close)...]
            if !after.isEmpty {
                guard after.hasPrefix(":") else { throw fail("unexpected characters after the IPv6 address") }
                portText = after.dropFirst()
            }
            guard !host.isEmpty, host.allSatisfy({ $0.isHexDigit || $0 == ":" || $0 == "." || $0 == "%" }) else {
                throw fail("'\(host)' is not an IPv6 address")
            }
        } else {
            if let colon = authority.lastIndex(of: ":") {
                host = authority[..<colon]
                portText = authority[authority.index(after: colon)...]
            } else {
                host = authority
            }
            guard !host.contains(":") else { throw fail("an IPv6 address must be written in brackets, e.g. ws://[::1]:8080/") }
        }
        guard !host.isEmpty else { throw fail("the host is missing") }
        var port = scheme == "wss" ? 443 : 80
        if let portText {
            guard !portText.isEmpty, portText.count <= 5, portText.allSatisfy(\.isASCII), let p = Int(portText), (1...65535).contains(p)
            else { throw fail("the port '\(portText)' is not a number from 1 to 65535") }
            port = p
        }
        self.scheme = scheme
        self.host = String(host).lowercased()
        self.port = port
        self.resource = resource
        self.isSecure = scheme == "wss"
    }

    /// The URL, not redacted (use `Redactor.url` for anything recorded).
    public var description: String {
        "\(scheme)://\(authority)\(resource)"
    }

    /// `host[:port]` as written in a `Host` header (IPv6 in brackets; default port omitted).
    public var authority: String {
        let h = host.contains(":") ? "[\(host)]" : host
        let defaultPort = isSecure ? 443 : 80
        return port == defaultPort ? h : "\(h):\(port)"
    }

    /// A copy with another path and query.
    public func replacing(resource: String) -> WebSocketURL {
        var copy = self
        copy.resource = resource.isEmpty ? "/" : (resource.hasPrefix("/") ? resource : "/" + resource)
        return copy
    }
}
