import Foundation
import Testing
import WebSocketLab

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// The lab's I/O path does not depend on Swift's cooperative thread pool: on a busy machine (a CI runner)
/// that pool is where every test task waits, and a handshake decided there waits behind all of them.
///
/// The test blocks every cooperative thread of its process, which would stall every other test running beside
/// it: it runs only in a pass of its own (`scripts/swift-test.sh` sets WS1011_POOL_TEST=1 for
/// `--filter PoolIndependence`) and is skipped elsewhere.
@Suite(
    "PoolIndependence: the lab decides upgrades on the event loop, not on the cooperative pool",
    .enabled(
        if: ProcessInfo.processInfo.environment["WS1011_POOL_TEST"] == "1",
        "blocks the whole cooperative pool: runs alone, in scripts/swift-test.sh's PoolIndependence pass"))
struct PoolIndependenceTests {
    @Test func upgradeIsAnsweredWhileEveryCooperativeThreadIsBlocked() async throws {
        try await withLab(try testConfiguration()) { lab in
            let token = try await lab.mintToken(email: TestUser.enterprise.email)
            let port = lab.port
            // The pool has one thread per core: a blocker per core occupies all of them. Every other test in the
            // process stalls meanwhile, so the blockers hold only until the upgrade is answered (milliseconds
            // when the lab is right; at most 5 s, the client's bound, when it is not).
            let width = ProcessInfo.processInfo.activeProcessorCount
            let started = DispatchSemaphore(value: 0)
            let release = DispatchSemaphore(value: 0)
            for _ in 0..<width {
                Task.detached {
                    started.signal()
                    // Bounded: released by the client thread, or after 20 s whatever happens.
                    _ = release.wait(timeout: .now() + 20)
                }
            }
            // The client runs on a plain thread: it needs no cooperative thread either.
            let outcome: (blocked: Int, status: Int?) = await withCheckedContinuation { continuation in
                Thread.detachNewThread {
                    var blocked = 0
                    while blocked < width, started.wait(timeout: .now() + 5) == .success { blocked += 1 }
                    let status = Self.upgradeStatus(port: port, token: token, timeoutSeconds: 5)
                    for _ in 0..<width { release.signal() }
                    continuation.resume(returning: (blocked, status))
                }
            }
            #expect(outcome.blocked == width, "only \(outcome.blocked) of \(width) blockers started")
            #expect(
                outcome.status == 101,
                "no 101 within 5 s while the cooperative pool was blocked: got \(outcome.status.map(String.init) ?? "nothing")")
        }
    }

    /// A blocking upgrade on a POSIX socket: the status code of the response head, `nil` when none arrived in time.
    static func upgradeStatus(port: Int, token: String, timeoutSeconds: Int) -> Int? {
        #if canImport(Glibc)
            let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        #else
            let fd = socket(AF_INET, SOCK_STREAM, 0)
        #endif
        guard fd >= 0 else { return nil }
        defer { close(fd) }
        var timeout = timeval(tv_sec: timeoutSeconds, tv_usec: 0)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard connected == 0 else { return nil }
        let request =
            "GET /ws HTTP/1.1\r\nHost: 127.0.0.1:\(port)\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
            + "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n"
            + "Sec-WebSocket-Protocol: jwt-auth, jwt.\(token)\r\n\r\n"
        let bytes = Array(request.utf8)
        guard bytes.withUnsafeBytes({ send(fd, $0.baseAddress, $0.count, 0) }) == bytes.count else { return nil }
        let deadline = ContinuousClock.now + .seconds(timeoutSeconds)
        var received: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 4096)
        while ContinuousClock.now < deadline, !String(decoding: received, as: UTF8.self).contains("\r\n\r\n") {
            let n = chunk.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
            guard n > 0 else { break }
            received += chunk[..<n]
        }
        let head = String(decoding: received, as: UTF8.self)
        guard head.contains("\r\n\r\n"), let line = head.split(separator: "\r\n").first else { return nil }
        let parts = line.split(separator: " ")
        return parts.count >= 2 ? Int(parts[1]) : nil
    }
}
