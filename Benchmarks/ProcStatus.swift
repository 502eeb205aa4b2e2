import Foundation

/// Memory figures of a process from `/proc/PID/status` (Linux), in KiB.
struct ProcStatus: Sendable, Codable {
    /// Peak resident set size (VmHWM).
    var peakRSSKiB: Int
    /// Current resident set size (VmRSS).
    var rssKiB: Int

    /// Reads the figures of `pid`; nil when /proc is unavailable or the process is gone.
    static func read(pid: Int32) -> ProcStatus? {
        guard let text = try? String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8) else { return nil }
        func field(_ name: String) -> Int? {
            guard let line = text.split(separator: "\n").first(where: { $0.hasPrefix(name + ":") }) else { return nil }
            return line.split(separator: " ", omittingEmptySubsequences: true).dropFirst().first.flatMap { Int($0) }
        }
        guard let hwm = field("VmHWM"), let rss = field("VmRSS") else { return nil }
        return ProcStatus(peakRSSKiB: hwm, rssKiB: rss)
    }

    /// Open file descriptors of `pid` (entries of /proc/PID/fd), nil when unreadable.
    static func openDescriptors(pid: Int32) -> Int? {
        (try? FileManager.default.contentsOfDirectory(atPath: "/proc/\(pid)/fd"))?.count
    }
}
