import Foundation

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Counts this process's descriptors (Linux `/proc`): all of them, and the TCP sockets on one port.
///
/// The whole test bundle runs in one process with tests in parallel, so the total count moves with other tests;
/// the per-port count does not: it sees only sockets whose local or remote port is the server's.
public enum SocketCensus {
    /// Open descriptors of this process (`/proc/self/fd`), `nil` without procfs.
    public static func descriptors() -> Int? {
        (try? FileManager.default.contentsOfDirectory(atPath: "/proc/self/fd"))?.count
    }

    /// Descriptors of this process that are TCP sockets with local or remote port `port`, `nil` without procfs.
    public static func sockets(onPort port: Int) -> Int? {
        var inodes = Set<String>()
        var sawTable = false
        for table in ["/proc/net/tcp", "/proc/net/tcp6"] {
            guard let text = readAll(table) else { continue }
            sawTable = true
            for line in text.split(separator: "\n").dropFirst() {
                let fields = line.split(separator: " ", omittingEmptySubsequences: true)
                guard fields.count > 9 else { continue }
                let ports = [fields[1], fields[2]].compactMap { $0.split(separator: ":").last.flatMap { Int($0, radix: 16) } }
                if ports.contains(port), fields[9] != "0" { inodes.insert(String(fields[9])) }
            }
        }
        guard sawTable, let entries = try? FileManager.default.contentsOfDirectory(atPath: "/proc/self/fd") else { return nil }
        var count = 0
        for entry in entries {
            guard let target = try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/fd/\(entry)"),
                target.hasPrefix("socket:["), target.hasSuffix("]")
            else { continue }
            if inodes.contains(String(target.dropFirst(8).dropLast())) { count += 1 }
        }
        return count
    }

    /// Waits (bounded) until the sockets on `port` are at most `limit`; returns the last count.
    public static func settle(port: Int, atMost limit: Int, within bound: Duration) async -> Int? {
        let deadline = ContinuousClock.now + bound
        var count = sockets(onPort: port)
        while let current = count, current > limit, ContinuousClock.now < deadline {
            try? await Task.sleep(for: .milliseconds(50))
            count = sockets(onPort: port)
        }
        return count
    }

    /// Reads a procfs file to its end. (Foundation trusts `st_size`, which is 0 for procfs, and may stop after one
    /// page: a busy /proc/net/tcp is many pages long.)
    static func readAll(_ path: String) -> String? {
        let fd = open(path, O_RDONLY)
        guard fd >= 0 else { return nil }
        defer { close(fd) }
        var bytes: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 64 << 10)
        while true {
            let n = chunk.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
            if n < 0 { return nil }
            if n == 0 { break }
            bytes += chunk[0..<n]
        }
        return String(decoding: bytes, as: UTF8.self)
    }
}
