import Foundation

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// A third-party peer running as a child process for one test: started with its output in a temporary
/// directory, waited on with a bound, and always stopped (SIGTERM, then SIGKILL) at the end.
final class PeerProcess: @unchecked Sendable {
    /// What the peer is, for messages.
    let name: String
    /// The loopback port the peer listens on.
    private(set) var port: Int = 0
    /// A scratch directory for this peer (configs, logs, PEM files); removed on stop.
    let directory: URL
    private let process = Process()
    private let stdoutPath: URL
    private let stderrPath: URL

    /// A fresh scratch directory for a peer called `name`.
    static func makeDirectory(_ name: String) throws -> URL {
        let safe = name.replacingOccurrences(of: " ", with: "-").replacingOccurrences(of: "/", with: "-")
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("ws1011-interop-\(safe)-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }

    private init(name: String, directory: URL) {
        self.name = name
        self.directory = directory
        self.stdoutPath = directory.appendingPathComponent("stdout.log")
        self.stderrPath = directory.appendingPathComponent("stderr.log")
    }

    // MARK: - Starting

    /// Starts a peer that picks its own port and prints `READY <port>` on stdout (the Python fixtures).
    static func startPrintingPort(name: String, executable: String, arguments: [String], readyWithin: Duration = .seconds(20)) async throws
        -> PeerProcess
    {
        let peer = PeerProcess(name: name, directory: try makeDirectory(name))
        try peer.launch(executable: executable, arguments: arguments)
        let deadline = ContinuousClock.now + readyWithin
        while ContinuousClock.now < deadline {
            if let text = try? String(contentsOf: peer.stdoutPath, encoding: .utf8),
                let line = text.split(separator: "\n").first(where: { $0.hasPrefix("READY ") }),
                let port = Int(line.dropFirst(6).trimmingCharacters(in: .whitespaces))
            {
                peer.port = port
                return peer
            }
            if !peer.process.isRunning { break }
            try await Task.sleep(for: .milliseconds(25))
        }
        let why =
            peer.process.isRunning ? "did not print READY within \(readyWithin)" : "exited with status \(peer.process.terminationStatus)"
        let log = peer.stderrText
        await peer.stop()
        throw InteropError("\(name) \(why); stderr:\n\(log)")
    }

    /// Starts a peer that listens on a port given on its command line, and waits until that port accepts TCP
    /// from the peer itself (the listening socket is one of the peer's file descriptors, so a neighbour that
    /// happens to hold the port is never mistaken for it). `configure` gets the peer's directory and the port,
    /// writes config files and returns the arguments. When the peer cannot bind the port (another process
    /// took it between the choice and the bind), it is started again on another port, up to 4 times.
    static func startListening(
        name: String, executable: String, readyWithin: Duration = .seconds(20),
        arguments configure: (URL, Int) throws -> [String]
    ) async throws -> PeerProcess {
        var lastError: InteropError?
        for _ in 0..<4 {
            let port = try listenPort()
            let peer = PeerProcess(name: name, directory: try makeDirectory(name))
            peer.port = port
            let arguments: [String]
            do { arguments = try configure(peer.directory, port) } catch {
                await peer.stop()
                throw error
            }
            try peer.launch(executable: executable, arguments: arguments)
            let deadline = ContinuousClock.now + readyWithin
            while ContinuousClock.now < deadline {
                if !peer.process.isRunning { break }
                if Self.accepts(port: port), peer.ownsListener(port: port) { return peer }
                try await Task.sleep(for: .milliseconds(25))
            }
            let running = peer.process.isRunning
            let why =
                running
                ? "did not listen on 127.0.0.1:\(port) within \(readyWithin)" : "exited with status \(peer.process.terminationStatus)"
            let log = peer.stderrText + peer.stdoutText
            await peer.stop()
            let error = InteropError("\(name) \(why); output:\n\(log)")
            let lower = log.lowercased()
            guard lower.contains("address already in use") || lower.contains("eaddrinuse") || lower.contains("cannot bind") else {
                throw error
            }
            lastError = error
        }
        throw lastError ?? InteropError("\(name) could not bind a port")
    }

    private func launch(executable: String, arguments: [String]) throws {
        _ = FileManager.default.createFile(atPath: stdoutPath.path, contents: nil)
        _ = FileManager.default.createFile(atPath: stderrPath.path, contents: nil)
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        process.currentDirectoryURL = directory
        var environment = ProcessInfo.processInfo.environment
        environment["PYTHONUNBUFFERED"] = "1"
        process.environment = environment
        process.standardInput = FileHandle.nullDevice
        process.standardOutput = try FileHandle(forWritingTo: stdoutPath)
        process.standardError = try FileHandle(forWritingTo: stderrPath)
        do { try process.run() } catch {
            throw InteropError("cannot start \(name) (\(executable)): \(error)")
        }
    }

    // MARK: - Output and stopping

    /// What the peer wrote on stderr so far (for failure messages and log assertions).
    var stderrText: String { (try? String(contentsOf: stderrPath, encoding: .utf8)) ?? "" }
    /// What the peer wrote on stdout so far.
    var stdoutText: String { (try? String(contentsOf: stdoutPath, encoding: .utf8)) ?? "" }

    /// Stops the peer (SIGTERM, SIGKILL after 2 s), waits for it (bounded, without blocking a thread)
    /// and removes its directory.
    func stop() async {
        if process.isRunning {
            process.terminate()
            let deadline = ContinuousClock.now + .seconds(2)
            while process.isRunning, ContinuousClock.now < deadline { try? await Task.sleep(for: .milliseconds(10)) }
            if process.isRunning {
                kill(process.processIdentifier, SIGKILL)
                let killDeadline = ContinuousClock.now + .seconds(2)
                while process.isRunning, ContinuousClock.now < killDeadline { try? await Task.sleep(for: .milliseconds(10)) }
            }
        }
        try? FileManager.default.removeItem(at: directory)
    }

    /// Runs `body` with the peer and always stops it afterwards, also when `body` throws.
    func run<T>(_ body: (PeerProcess) async throws -> T) async throws -> T {
        do {
            let result = try await body(self)
            await stop()
            return result
        } catch {
            await stop()
            throw error
        }
    }

    // MARK: - One-shot commands

    /// Runs a command to its end (bounded: killed after `within`), returning its exit status and its
    /// stdout and stderr together.
    static func runToEnd(executable: String, arguments: [String], within: Duration) async throws -> (status: Int32, output: String) {
        let directory = try makeDirectory("command")
        defer { try? FileManager.default.removeItem(at: directory) }
        let log = directory.appendingPathComponent("output.log")
        _ = FileManager.default.createFile(atPath: log.path, contents: nil)
        let handle = try FileHandle(forWritingTo: log)
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        process.standardInput = FileHandle.nullDevice
        process.standardOutput = handle
        process.standardError = handle
        try process.run()
        let deadline = ContinuousClock.now + within
        while process.isRunning, ContinuousClock.now < deadline { try await Task.sleep(for: .milliseconds(25)) }
        if process.isRunning {
            kill(process.processIdentifier, SIGKILL)
            let killDeadline = ContinuousClock.now + .seconds(2)
            while process.isRunning, ContinuousClock.now < killDeadline { try? await Task.sleep(for: .milliseconds(10)) }
            throw InteropError(
                "\(executable) \(arguments.joined(separator: " ")) did not finish within \(within); output:\n\((try? String(contentsOf: log, encoding: .utf8)) ?? "")"
            )
        }
        try? handle.close()
        return (process.terminationStatus, (try? String(contentsOf: log, encoding: .utf8)) ?? "")
    }

    // MARK: - Ports

    /// A loopback port for a peer to listen on, free a moment ago. It is chosen below the kernel's ephemeral
    /// range (`/proc/sys/net/ipv4/ip_local_port_range`), where neither outgoing connections nor servers that
    /// bind port 0 ever land, and each call in this process gets a different one, so concurrent tests do not
    /// pick the same port between the choice and the peer's bind.
    static func listenPort() throws -> Int {
        for _ in 0..<200 {
            let port = PortCounter.shared.next()
            if canBind(port: port) { return port }
        }
        throw InteropError("no free loopback port below the ephemeral range")
    }

    /// A loopback port with nothing listening on it a moment ago (for a refused target).
    static func freePort() throws -> Int { try listenPort() }

    /// Whether 127.0.0.1:`port` can be bound right now.
    static func canBind(port: Int) -> Bool {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { return false }
        defer { close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = UInt16(port).bigEndian
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        return bound == 0
    }

    /// The whole text of a `/proc` file. These report a size of 0, and Foundation's whole-file readers stop
    /// after the first chunk, so the file is read with read(2) to its end (bounded at 16 MiB).
    static func readProcFile(_ path: String) -> String? {
        let fd = open(path, O_RDONLY)
        guard fd >= 0 else { return nil }
        defer { close(fd) }
        var bytes: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 65536)
        while bytes.count < 16 << 20 {
            let n = chunk.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
            if n < 0, errno == EINTR { continue }
            guard n > 0 else { break }
            bytes += chunk[0..<n]
        }
        return String(decoding: bytes, as: UTF8.self)
    }

    /// Whether the socket listening on 127.0.0.1:`port` belongs to this peer or one of its children
    /// (Linux: the socket's inode from `/proc/net/tcp` among the processes' file descriptors). Where `/proc`
    /// cannot tell, a running peer is taken to own it.
    func ownsListener(port: Int) -> Bool {
        #if os(Linux)
            guard let table = Self.readProcFile("/proc/net/tcp") else { return true }
            let local = String(format: "0100007F:%04X", port)
            var inodes: Set<String> = []
            for line in table.split(separator: "\n").dropFirst() {
                let fields = line.split(separator: " ", omittingEmptySubsequences: true)
                guard fields.count > 9, fields[1] == local, fields[3] == "0A" else { continue }
                inodes.insert("socket:[\(fields[9])]")
            }
            guard !inodes.isEmpty else { return false }
            let root = Int(process.processIdentifier)
            var pids = [root]
            var index = 0
            while index < pids.count, pids.count < 64 {
                let pid = pids[index]
                index += 1
                let children = Self.readProcFile("/proc/\(pid)/task/\(pid)/children") ?? ""
                pids += children.split(separator: " ").compactMap { Int($0.trimmingCharacters(in: .whitespacesAndNewlines)) }
            }
            for pid in pids {
                let fdDirectory = "/proc/\(pid)/fd"
                guard let entries = try? FileManager.default.contentsOfDirectory(atPath: fdDirectory) else { continue }
                for entry in entries {
                    if let target = try? FileManager.default.destinationOfSymbolicLink(atPath: fdDirectory + "/" + entry),
                        inodes.contains(target)
                    {
                        return true
                    }
                }
            }
            return false
        #else
            return process.isRunning
        #endif
    }

    /// `true` when a TCP connection to 127.0.0.1:`port` succeeds right now.
    static func accepts(port: Int) -> Bool {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { return false }
        defer { close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = UInt16(port).bigEndian
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let result = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        return result == 0
    }
}

/// Hands out loopback ports below the ephemeral range, a different one on each call in this process,
/// starting at a random offset so that two test processes rarely walk the same ports.
private final class PortCounter: @unchecked Sendable {
    static let shared = PortCounter()
    private let lock = NSLock()
    private let low: Int
    private let high: Int
    private var next_: Int

    private init() {
        let ephemeralLow =
            (try? String(contentsOfFile: "/proc/sys/net/ipv4/ip_local_port_range", encoding: .utf8))
            .flatMap { $0.split(whereSeparator: { $0 == " " || $0 == "\t" || $0 == "\n" }).first.flatMap { Int($0) } } ?? 32768
        high = max(ephemeralLow, 12000)
        low = max(10000, high - 12000)
        next_ = Int.random(in: low..<high)
    }

    func next() -> Int {
        lock.lock()
        defer { lock.unlock() }
        let port = next_
        next_ = next_ + 1 >= high ? low : next_ + 1
        return port
    }
}
