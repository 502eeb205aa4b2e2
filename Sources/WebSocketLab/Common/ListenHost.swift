import Foundation
import NIOCore

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// A listen address as the lab and the proxy are told it: who can reach it, and how to write it in a URL
/// that a client can actually use.
public struct ListenHost: Sendable, Equatable, CustomStringConvertible {
    /// The address or name as given (`127.0.0.1`, `0.0.0.0`, `::1`, `localhost`, …).
    public var host: String

    /// Wraps `host` (brackets around an IPv6 literal are dropped).
    public init(_ host: String) {
        var host = host
        if host.hasPrefix("["), host.hasSuffix("]") { host = String(host.dropFirst().dropLast()) }
        self.host = host
    }

    public var description: String { host }

    /// Whether only this machine can connect: `localhost`, `127.0.0.0/8`, `::1` (or `::ffff:127.x.y.z`).
    public var isLoopback: Bool {
        if host.lowercased() == "localhost" { return true }
        if let v4 = Self.ipv4(host) { return v4.0 == 127 }
        if let v6 = Self.ipv6(host) {
            if v6 == [UInt8](repeating: 0, count: 15) + [1] { return true }
            return v6[0..<10].allSatisfy { $0 == 0 } && v6[10] == 0xFF && v6[11] == 0xFF && v6[12] == 127
        }
        return false
    }

    /// Whether the address is "every interface" (`0.0.0.0`, `::`).
    public var isWildcard: Bool {
        if let v4 = Self.ipv4(host) { return v4 == (0, 0, 0, 0) }
        if let v6 = Self.ipv6(host) { return v6.allSatisfy { $0 == 0 } }
        return false
    }

    /// The host to put in a URL: `127.0.0.1` for `0.0.0.0` and `::1` for `::` (a wildcard is no address a client
    /// can connect to), IPv6 literals in brackets.
    public var urlHost: String {
        if isWildcard { return Self.ipv6(host) != nil ? "[::1]" : "127.0.0.1" }
        return host.contains(":") ? "[\(host)]" : host
    }

    /// Whether `text` is an IPv4 or IPv6 literal (no brackets).
    public static func isIPLiteral(_ text: String) -> Bool { addressBytes(text) != nil }

    /// The 4 or 16 bytes of an IPv4 or IPv6 literal (no brackets), or nil for anything else.
    public static func addressBytes(_ text: String) -> [UInt8]? {
        if let v4 = ipv4(text) { return [v4.0, v4.1, v4.2, v4.3] }
        return ipv6(text)
    }

    /// The addresses other machines may reach this one at: every interface address except loopback and
    /// link-local ones, IPv6 in brackets; empty when the interfaces cannot be listed.
    public static func externalAddresses() -> [String] {
        guard let devices = try? System.enumerateDevices() else { return [] }
        var seen: [String] = []
        for device in devices {
            guard let ip = device.address?.ipAddress else { continue }
            let candidate = ListenHost(ip)
            if candidate.isLoopback || candidate.isWildcard { continue }
            if ip.lowercased().hasPrefix("fe80:") || ip.hasPrefix("169.254.") { continue }
            let text = ip.contains(":") ? "[\(ip)]" : ip
            if !seen.contains(text) { seen.append(text) }
        }
        return seen
    }

    /// This machine's name (`gethostname`), or nil.
    public static func machineName() -> String? {
        var buffer = [CChar](repeating: 0, count: 256)
        guard gethostname(&buffer, buffer.count - 1) == 0 else { return nil }
        let name = String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
        return name.isEmpty ? nil : name
    }

    // MARK: - Literals

    private static func ipv4(_ text: String) -> (UInt8, UInt8, UInt8, UInt8)? {
        var address = in_addr()
        guard inet_pton(AF_INET, text, &address) == 1 else { return nil }
        let b = withUnsafeBytes(of: &address) { Array($0) }
        return (b[0], b[1], b[2], b[3])
    }

    private static func ipv6(_ text: String) -> [UInt8]? {
        var address = in6_addr()
        guard inet_pton(AF_INET6, text, &address) == 1 else { return nil }
        return withUnsafeBytes(of: &address) { Array($0) }
    }
}
