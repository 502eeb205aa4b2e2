import Foundation
import NIOCore

/// HAProxy in TCP mode in front of one upstream, as a child process with a generated configuration.
struct HAProxyProcess {
    let child: ChildProcess
    let port: Int
    let directory: URL
    let version: String

    /// The configuration: `mode tcp`, a frontend on `port`, one backend server; `nbthread threads`
    /// when given (else HAProxy's default: one thread per CPU it may run on).
    static func configuration(listenPort: Int, upstreamPort: Int, threads: Int? = nil) -> String {
        """
        global
            maxconn 4096\(threads.map { "\n    nbthread \($0)" } ?? "")
        defaults
            mode tcp
            timeout connect 5s
            timeout client 60s
            timeout server 60s
        frontend bench_in
            bind \(Loopback.host):\(listenPort)
            default_backend bench_echo
        backend bench_echo
            server echo \(Loopback.host):\(upstreamPort)

        """
    }

    /// Writes the configuration to a temporary directory and starts `haproxy -f cfg -db`;
    /// returns once the frontend accepts connections (bounded: 10 s).
    static func start(executable: String, upstreamPort: Int, group: any EventLoopGroup, threads: Int? = nil) async throws -> HAProxyProcess
    {
        let port = try await Loopback.freePort(group: group)
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("ws1011-bench-haproxy-\(getpid())-\(port)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let cfg = directory.appendingPathComponent("haproxy.cfg")
        try configuration(listenPort: port, upstreamPort: upstreamPort, threads: threads).write(to: cfg, atomically: true, encoding: .utf8)
        let versionProbe = try ChildProcess(executable, ["-v"])
        _ = await versionProbe.waitForExit(within: .seconds(5))
        let version = versionProbe.standardOutput.split(separator: "\n").first.map(String.init) ?? "HAProxy (version unknown)"
        let child = try ChildProcess(executable, ["-f", cfg.path, "-db"])
        do {
            try await Loopback.waitForListener(port: port, within: .seconds(10), group: group)
        } catch {
            await child.stop()
            throw LoadError("HAProxy did not start: \(error); stderr: \(child.standardError.suffix(400))")
        }
        return HAProxyProcess(child: child, port: port, directory: directory, version: version)
    }

    /// Stops HAProxy and removes its configuration.
    func stop() async {
        await child.stop()
        try? FileManager.default.removeItem(at: directory)
    }
}
