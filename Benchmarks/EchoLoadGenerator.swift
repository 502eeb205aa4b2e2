import NIOCore
import NIOPosix
import WebSocketWire

/// Closed-loop echo load over raw NIO channels: `connections` WebSocket connections, each keeping
/// `window` binary messages of `messageBytes` in flight for `duration`; every round trip is timed.
/// The same generator drives every path (direct, ws1011 proxy, HAProxy), so the comparison is fair.
enum EchoLoadGenerator {
    /// What one run measured.
    struct Outcome: Sendable, Codable {
        var connections: Int
        var messageBytes: Int
        var window: Int
        var seconds: Double
        var messages: Int
        var messagesPerSecond: Double
        var latency: LatencySummary
        var errors: [String]
        /// Round-trip samples (ns); kept out of the JSON.
        var samples: [UInt64] = []

        enum CodingKeys: String, CodingKey {
            case connections, messageBytes, window, seconds, messages, messagesPerSecond, latency, errors
        }

        /// Several runs on one path as one: messages and seconds add up, samples are pooled.
        static func merged(_ runs: [Outcome]) -> Outcome? {
            guard let first = runs.first else { return nil }
            var m = first
            m.seconds = runs.reduce(0) { $0 + $1.seconds }
            m.messages = runs.reduce(0) { $0 + $1.messages }
            m.messagesPerSecond = m.seconds > 0 ? Double(m.messages) / m.seconds : 0
            m.samples = runs.flatMap(\.samples)
            m.latency = LatencySummary(nanos: m.samples)
            m.errors = Array(Set(runs.flatMap(\.errors))).sorted()
            return m
        }
    }

    /// Runs the load against `ws://host:port/path`. Bounded: 10 s to connect, `duration` of load,
    /// at most 2 s more for the last echoes.
    static func run(
        host: String, port: Int, path: String = "/", connections: Int, messageBytes: Int, window: Int,
        duration: Duration, group: any EventLoopGroup
    ) async throws -> Outcome {
        let payload = (0..<messageBytes).map { UInt8(truncatingIfNeeded: $0 &* 31) }
        let request = ByteBuffer(string: WireCodec.upgradeRequest(host: host, port: port, path: path))
        var channels: [(Channel, EventLoopFuture<Void>, EventLoopFuture<EchoLoadHandler.Result>)] = []
        defer { for (channel, _, _) in channels { channel.close(promise: nil) } }
        for _ in 0..<connections {
            let loop = group.next()
            let upgraded = loop.makePromise(of: Void.self)
            let finished = loop.makePromise(of: EchoLoadHandler.Result.self)
            let frame = WireCodec.clientFrame(opcode: .binary, payload: payload)
            let connect = ClientBootstrap(group: loop)
                .channelOption(.socketOption(.tcp_nodelay), value: 1)
                .connectTimeout(.seconds(5))
                .channelInitializer { channel in
                    channel.eventLoop.makeCompletedFuture {
                        try channel.pipeline.syncOperations.addHandler(
                            EchoLoadHandler(request: request, frame: frame, window: window, upgraded: upgraded, finished: finished))
                    }
                }
                .connect(host: host, port: port)
            do {
                let channel = try await connect.get()
                channels.append((channel, upgraded.futureResult, finished.futureResult))
            } catch {
                upgraded.fail(error)
                finished.succeed(.init(error: "\(error)"))
                throw LoadError("cannot connect to \(host):\(port): \(error)")
            }
        }
        for (_, upgraded, _) in channels {
            try await value(of: upgraded, within: .seconds(10), "the WebSocket upgrade")
        }
        let start = NIODeadline.now().uptimeNanoseconds
        let deadline = start + UInt64(duration.components.seconds) * 1_000_000_000 + UInt64(duration.components.attoseconds / 1_000_000_000)
        for (channel, _, _) in channels {
            channel.eventLoop.execute {
                (try? channel.pipeline.syncOperations.handler(type: EchoLoadHandler.self))?.begin(deadlineNanos: deadline)
            }
        }
        var results: [EchoLoadHandler.Result] = []
        for (_, _, finished) in channels {
            results.append(try await value(of: finished, within: duration + .seconds(5), "the load run"))
        }
        let seconds = Double(deadline - start) / 1e9
        let messages = results.reduce(0) { $0 + $1.messages }
        let samples = results.flatMap(\.latenciesNanos)
        return Outcome(
            connections: connections, messageBytes: messageBytes, window: window, seconds: seconds, messages: messages,
            messagesPerSecond: Double(messages) / seconds, latency: LatencySummary(nanos: samples),
            errors: Array(Set(results.compactMap(\.error))).sorted(), samples: samples)
    }
}

/// Waits for `future`, failing with a clear error when it takes longer than `limit` (the future
/// itself is left to complete on its own).
func value<T: Sendable>(of future: EventLoopFuture<T>, within limit: Duration, _ what: String) async throws -> T {
    let promise = future.eventLoop.makePromise(of: T.self)
    future.cascade(to: promise)
    let timer = future.eventLoop.scheduleTask(in: TimeAmount(limit)) {
        promise.fail(LoadError("\(what) did not finish within \(limit)"))
    }
    defer { timer.cancel() }
    return try await promise.futureResult.get()
}
