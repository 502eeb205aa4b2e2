import Dispatch
import NIOCore
import NIOPosix
import WebSocketLab

#if canImport(Glibc)
    import Glibc
#endif

// `ws1011-proxy-host UPSTREAM_PORT [FAULT_SPEC ...]`: the fault proxy in this process on 127.0.0.1 (one
// event loop) in front of 127.0.0.1:UPSTREAM_PORT, until SIGINT or SIGTERM. The instruction count of
// `scripts/proxy-instructions.sh` runs the proxy here under valgrind: a synchronous main keeps the main
// thread in `sigwait` (an async main ends the thread in `dispatch_main`, where valgrind 3.19 crashes).

/// Writes `text` to descriptor `fd` unbuffered (the script waits for the listening line).
func say(_ text: String, to fd: Int32 = 1) {
    var text = text
    text.withUTF8 { _ = write(fd, $0.baseAddress, $0.count) }
}

func fail(_ message: String) -> Never {
    say("ws1011-proxy-host: \(message)\n", to: 2)
    exit(2)
}

let arguments = CommandLine.arguments.dropFirst()
guard let upstreamPort = arguments.first.flatMap({ Int($0) }), (1...65535).contains(upstreamPort) else {
    fail("usage: ws1011-proxy-host UPSTREAM_PORT [FAULT_SPEC ...] (the upstream on 127.0.0.1; faults as --fault takes them)")
}
var specs: [FaultSpec] = []
for text in arguments.dropFirst() {
    do {
        specs.append(try FaultSpec(parsing: text))
    } catch {
        fail("\(error)")
    }
}

// Signals are taken with sigwait on this thread: blocked before any other thread starts, so every thread inherits the mask.
var signals = sigset_t()
sigemptyset(&signals)
sigaddset(&signals, SIGINT)
sigaddset(&signals, SIGTERM)
pthread_sigmask(SIG_BLOCK, &signals, nil)

/// Runs `body` on the concurrency pool and waits for it here (bounded by `seconds`).
func blocking<T: Sendable>(within seconds: Int, _ body: @escaping @Sendable () async throws -> T) throws -> T {
    let done = DispatchSemaphore(value: 0)
    nonisolated(unsafe) var result: Result<T, any Error>?
    Task {
        do { result = .success(try await body()) } catch { result = .failure(error) }
        done.signal()
    }
    guard done.wait(timeout: .now() + .seconds(seconds)) == .success, let result else { fail("no answer within \(seconds) s") }
    return try result.get()
}

let group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
let configuration = ProxyConfiguration(upstreams: [ProxyUpstream(host: "127.0.0.1", port: upstreamPort)], faults: specs)
let proxy: FaultProxy
do {
    proxy = try blocking(within: 60) { try await FaultProxy.start(configuration, eventLoopGroup: group) }
} catch {
    fail("\(error)")
}
say("ws1011 proxy listening on \(proxy.url(path: "/"))\n")

var received: Int32 = 0
sigwait(&signals, &received)
_ = try? blocking(within: 10) { await proxy.shutdown() }
try? group.syncShutdownGracefully()
exit(0)
