import Foundation
import Synchronization

/// A child process (HAProxy, the lab, the Python client) with its output collected; always bounded:
/// waits time out and ``stop()`` ends it (SIGTERM, then SIGKILL).
final class ChildProcess: @unchecked Sendable {
    private let process: Process
    private let output = TextSink()
    private let errorOutput = TextSink()
    /// The command line, for messages.
    let commandLine: String

    /// Starts `executable` with `arguments`.
    init(_ executable: String, _ arguments: [String], environment: [String: String]? = nil) throws {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        if let environment { process.environment = environment }
        let out = Pipe()
        let err = Pipe()
        process.standardOutput = out
        process.standardError = err
        process.standardInput = FileHandle.nullDevice
        self.process = process
        self.commandLine = ([executable] + arguments).joined(separator: " ")
        try process.run()
        Self.drain(out.fileHandleForReading, into: output)
        Self.drain(err.fileHandleForReading, into: errorOutput)
    }

    private static func drain(_ handle: FileHandle, into sink: TextSink) {
        let thread = Thread {
            while true {
                let data = handle.availableData
                if data.isEmpty { return }
                sink.append(String(decoding: data, as: UTF8.self))
            }
        }
        thread.start()
    }

    /// Collected output of one stream (bounded to the last 1 MiB).
    final class TextSink: Sendable {
        private let text = Mutex<String>("")
        func append(_ more: String) {
            text.withLock {
                $0 += more
                if $0.utf8.count > 1 << 20 { $0 = String($0.suffix(1 << 19)) }
            }
        }
        var value: String { text.withLock { $0 } }
    }

    /// The process id.
    var pid: Int32 { process.processIdentifier }
    /// Whether it still runs.
    var isRunning: Bool { process.isRunning }
    /// Everything it wrote to standard output so far.
    var standardOutput: String { output.value }
    /// Everything it wrote to standard error so far.
    var standardError: String { errorOutput.value }
    /// Its exit status, once it ended.
    var exitStatus: Int32? { process.isRunning ? nil : process.terminationStatus }

    /// Waits (bounded) until standard output has a line containing `marker`; returns that line.
    func waitForLine(containing marker: String, within limit: Duration) async throws -> String {
        let deadline = ContinuousClock.now + limit
        while ContinuousClock.now < deadline {
            if let line = standardOutput.split(separator: "\n").first(where: { $0.contains(marker) }) { return String(line) }
            if !isRunning { break }
            try await Task.sleep(for: .milliseconds(20))
        }
        throw LoadError(
            "`\(commandLine)` printed no line with '\(marker)' within \(limit) (running: \(isRunning)); stderr: \(standardError.suffix(500))"
        )
    }

    /// Waits (bounded) until it exits; returns whether it did.
    func waitForExit(within limit: Duration) async -> Bool {
        let deadline = ContinuousClock.now + limit
        while isRunning, ContinuousClock.now < deadline { try? await Task.sleep(for: .milliseconds(20)) }
        return !isRunning
    }

    /// Ends it: SIGTERM, then SIGKILL after `grace`.
    func stop(grace: Duration = .seconds(3)) async {
        guard isRunning else { return }
        kill(pid, SIGTERM)
        if await waitForExit(within: grace) { return }
        kill(pid, SIGKILL)
        _ = await waitForExit(within: .seconds(2))
    }
}

/// Looks `name` up in PATH; nil when absent.
func which(_ name: String) -> String? {
    if name.contains("/") { return FileManager.default.isExecutableFile(atPath: name) ? name : nil }
    let path = ProcessInfo.processInfo.environment["PATH"] ?? "/usr/local/bin:/usr/bin:/bin:/usr/sbin:/sbin"
    for dir in path.split(separator: ":") {
        let candidate = "\(dir)/\(name)"
        if FileManager.default.isExecutableFile(atPath: candidate) { return candidate }
    }
    for dir in ["/usr/sbin", "/sbin"] where FileManager.default.isExecutableFile(atPath: "\(dir)/\(name)") {
        return "\(dir)/\(name)"
    }
    return nil
}
