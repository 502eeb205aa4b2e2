import NIOCore

/// Where to connect instead of what the URL names, as curl's `--resolve` and `--connect-to` do: the request's
/// `Host`, the TLS SNI and the certificate name stay the URL's, so one backend behind a load balancer (or a
/// new front before the DNS change) is reached exactly as the real name would reach it.
public struct ConnectRoute: Sendable, Equatable, CustomStringConvertible {
    /// What the route does.
    public enum Action: Sendable, Equatable {
        /// `--resolve HOST:PORT:ADDR[,ADDR…]`: these addresses instead of a DNS lookup.
        case addresses([String])
        /// `--connect-to HOST:PORT:CONNECT-HOST:CONNECT-PORT`: connect there instead (`nil`: unchanged).
        case connectTo(host: String?, port: Int?)
    }

    /// The URL host the route applies to (`nil`: any host).
    public var host: String?
    /// The URL port the route applies to (`nil`: any port).
    public var port: Int?
    /// What it does.
    public var action: Action

    /// A route for `host`:`port` (either `nil` for any).
    public init(host: String?, port: Int?, action: Action) {
        self.host = host
        self.port = port
        self.action = action
    }

    /// The route as the option that gives it (`--resolve example.com:443:10.0.0.7`).
    public var description: String {
        let match = "\(host.map(Self.bracketed) ?? ""):\(port.map(String.init) ?? (host == nil ? "" : "*"))"
        switch action {
        case .addresses(let addresses): return "--resolve \(match):\(addresses.map(Self.bracketed).joined(separator: ","))"
        case .connectTo(let h, let p): return "--connect-to \(match):\(h.map(Self.bracketed) ?? ""):\(p.map(String.init) ?? "")"
        }
    }

    /// Whether the route applies to `host`:`port` (host names compare case-insensitively).
    public func matches(host: String, port: Int) -> Bool {
        (self.host == nil || self.host!.lowercased() == host.lowercased()) && (self.port == nil || self.port == port)
    }

    // MARK: - Parsing

    /// Parses curl's `--resolve HOST:PORT:ADDR[,ADDR…]` (`PORT` may be `*`, IPv6 addresses in brackets).
    /// - Throws: ``ProbeError`` naming the part that is wrong and the form to use.
    public static func parseResolve(_ text: String) throws(ProbeError) -> ConnectRoute {
        let form = "write it as HOST:PORT:ADDRESS[,ADDRESS…], e.g. example.com:443:10.0.0.7 or example.com:443:[2001:db8::7]"
        let parts = try split(text, count: 3, option: "--resolve", form: form)
        guard !parts[0].isEmpty else { throw ProbeError.invalidRoute("--resolve", text, "the host is empty", form) }
        let port = try parsePort(parts[1], option: "--resolve", text: text, form: form, allowAny: true)
        let addresses = parts[2].split(separator: ",", omittingEmptySubsequences: false).map { String($0).trimmingBrackets }
        guard !addresses.isEmpty, addresses.allSatisfy({ (try? SocketAddress(ipAddress: $0, port: 0)) != nil }) else {
            throw ProbeError.invalidRoute("--resolve", text, "'\(parts[2])' is not a list of IP addresses", form)
        }
        return ConnectRoute(host: parts[0].trimmingBrackets, port: port, action: .addresses(addresses))
    }

    /// Parses curl's `--connect-to HOST:PORT:CONNECT-HOST:CONNECT-PORT` (an empty `HOST`/`PORT` matches any,
    /// an empty `CONNECT-HOST`/`CONNECT-PORT` keeps the URL's).
    /// - Throws: ``ProbeError`` naming the part that is wrong and the form to use.
    public static func parseConnectTo(_ text: String) throws(ProbeError) -> ConnectRoute {
        let form =
            "write it as HOST:PORT:CONNECT-HOST:CONNECT-PORT, e.g. example.com:443:backend-7.internal:8443 (empty parts mean any / unchanged)"
        let parts = try split(text, count: 4, option: "--connect-to", form: form)
        let port = try parsePort(parts[1], option: "--connect-to", text: text, form: form, allowAny: true)
        let connectPort = try parsePort(parts[3], option: "--connect-to", text: text, form: form, allowAny: false)
        let connectHost = parts[2].trimmingBrackets
        if !connectHost.isEmpty, !connectHost.allSatisfy({ $0.isLetter || $0.isNumber || ".-_:".contains($0) }) {
            throw ProbeError.invalidRoute("--connect-to", text, "'\(parts[2])' is not a host name or address", form)
        }
        guard !connectHost.isEmpty || connectPort != nil else {
            throw ProbeError.invalidRoute("--connect-to", text, "it changes neither the host nor the port", form)
        }
        return ConnectRoute(
            host: parts[0].isEmpty ? nil : parts[0].trimmingBrackets, port: port,
            action: .connectTo(host: connectHost.isEmpty ? nil : connectHost, port: connectPort))
    }

    /// Splits on the colons that are not inside `[…]`, into exactly `count` parts.
    private static func split(_ text: String, count: Int, option: String, form: String) throws(ProbeError) -> [String] {
        guard !text.unicodeScalars.contains(where: { $0.value < 0x20 || $0.value == 0x7F || $0 == " " }) else {
            throw ProbeError.invalidRoute(option, text, "it contains spaces or control characters", form)
        }
        var parts: [String] = [""]
        var depth = 0
        for character in text {
            switch character {
            case "[": depth += 1; parts[parts.count - 1].append(character)
            case "]": depth -= 1; parts[parts.count - 1].append(character)
            case ":" where depth == 0 && parts.count < count: parts.append("")
            default: parts[parts.count - 1].append(character)
            }
        }
        guard parts.count == count, depth == 0 else {
            throw ProbeError.invalidRoute(option, text, "it has \(parts.count) colon-separated parts, not \(count)", form)
        }
        return parts
    }

    private static func parsePort(_ text: String, option: String, text whole: String, form: String, allowAny: Bool) throws(ProbeError)
        -> Int?
    {
        if text.isEmpty || (allowAny && text == "*") { return nil }
        guard let port = Int(text), (1...65535).contains(port) else {
            throw ProbeError.invalidRoute(option, whole, "'\(text)' is not a port (1–65535)", form)
        }
        return port
    }

    private static func bracketed(_ host: String) -> String { host.contains(":") ? "[\(host)]" : host }
}

extension ClientConfiguration {
    /// Where a connection to the URL goes after ``routes``: the host and port to resolve and connect to, the
    /// addresses given by a `--resolve` route (no DNS lookup), and the routes that applied.
    func connectTarget() -> (host: String, port: Int, addresses: [String]?, applied: [ConnectRoute]) {
        var host = url.host
        var port = url.port
        var applied: [ConnectRoute] = []
        if let route = routes.first(where: { if case .connectTo = $0.action { $0.matches(host: host, port: port) } else { false } }),
            case .connectTo(let h, let p) = route.action
        {
            host = h ?? host
            port = p ?? port
            applied.append(route)
        }
        if let route = routes.first(where: { if case .addresses = $0.action { $0.matches(host: host, port: port) } else { false } }),
            case .addresses(let addresses) = route.action
        {
            applied.append(route)
            return (host, port, addresses, applied)
        }
        return (host, port, nil, applied)
    }
}

extension ProbeError {
    /// A `--resolve` or `--connect-to` value that cannot be used.
    static func invalidRoute(_ option: String, _ text: String, _ reason: String, _ form: String) -> ProbeError {
        ProbeError(description: "invalid \(option) '\(text)': \(reason); \(form)", shortDescription: "invalid-route")
    }
}

extension String {
    /// The text without one pair of enclosing brackets (`[::1]` → `::1`).
    fileprivate var trimmingBrackets: String {
        hasPrefix("[") && hasSuffix("]") ? String(dropFirst().dropLast()) : self
    }
}
