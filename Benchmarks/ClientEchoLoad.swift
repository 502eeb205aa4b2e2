import Foundation
import NIOCore
import NIOPosix
import WebSocketProbe

/// Echo load driven by the ws1011 client (`WebSocketConnection`): each connection sends a binary
/// message and waits for its echo, over and over, until the deadline or `maxRoundTrips`.
///
/// Same arrangement as the Python `websockets` peer (one asyncio thread runs the caller's loop and
/// the connection's I/O): the client gets one event loop thread of its own, its connections run on
/// it, and the driving loop runs on it too (`withTaskExecutorPreference`), so a round trip costs no
/// thread hop on our side either. The echo server keeps its own thread, as for the Python client.
enum ClientEchoLoad {
    /// What one run measured.
    struct Outcome: Sendable, Codable {
        /// Which client produced it (the Python script fills in its version).
        var client: String? = "ws1011 WebSocketConnection"
        var connections: Int
        var messageBytes: Int
        var seconds: Double
        var roundTrips: Int
        var messagesPerSecond: Double
        /// Payload megabytes (10^6) echoed per second, counted once (sent = received).
        var megabytesPerSecond: Double
        var latency: LatencySummary
        var errors: [String]
    }

    static func run(url: String, connections: Int, messageBytes: Int, duration: Duration, maxRoundTrips: Int = .max) async throws -> Outcome
    {
        let target = try WebSocketURL(parsing: url)
        var configuration = ClientConfiguration(url: target)
        configuration.timeouts.message = .seconds(5)
        let settings = configuration
        let payload = (0..<messageBytes).map { UInt8(truncatingIfNeeded: $0 &* 7) }
        let clientGroup = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        defer { clientGroup.shutdownGracefully { _ in } }
        let loop = clientGroup.next()
        let executor = EventLoopTaskExecutor(loop)
        let opened = await withTaskGroup(of: WebSocketConnection.self) { group in
            for _ in 0..<connections { group.addTask { await WebSocketConnection.connect(settings, eventLoopGroup: loop) } }
            var all: [WebSocketConnection] = []
            for await c in group { all.append(c) }
            return all
        }
        for c in opened where !(await c.isOpen) {
            let failure = await c.transcript().failure
            throw LoadError("the ws1011 client could not open \(url): \(failure.map { "\($0.kind): \($0.detail)" } ?? "unknown")")
        }
        let perConnectionMax = max(1, maxRoundTrips / connections)
        let clock = ContinuousClock()
        let start = clock.now
        let deadline = start + duration
        let results = await withTaskGroup(of: (Int, [UInt64], String?).self) { group in
            for connection in opened {
                group.addTask(executorPreference: executor) {
                    var latencies: [UInt64] = []
                    latencies.reserveCapacity(4096)
                    var error: String?
                    while latencies.count < perConnectionMax, clock.now < deadline {
                        let sent = clock.now
                        await connection.send(binary: payload)
                        let reply = await connection.receive(timeout: .seconds(5))
                        guard case .binary(let bytes) = reply, bytes.count == payload.count else {
                            error = "unexpected reply: \(reply)".prefix(200).description
                            break
                        }
                        let rtt = clock.now - sent
                        latencies.append(
                            UInt64(rtt.components.seconds) * 1_000_000_000 + UInt64(rtt.components.attoseconds / 1_000_000_000))
                    }
                    return (latencies.count, latencies, error)
                }
            }
            var all: [(Int, [UInt64], String?)] = []
            for await r in group { all.append(r) }
            return all
        }
        let seconds = (clock.now - start).ms / 1000
        for c in opened { await c.close() }
        let trips = results.reduce(0) { $0 + $1.0 }
        return Outcome(
            connections: connections, messageBytes: messageBytes, seconds: seconds, roundTrips: trips,
            messagesPerSecond: Double(trips) / seconds, megabytesPerSecond: Double(trips * messageBytes) / seconds / 1e6,
            latency: LatencySummary(nanos: results.flatMap(\.1)), errors: Array(Set(results.compactMap(\.2))).sorted())
    }
}
