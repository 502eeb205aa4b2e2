import NIOCore
import NIOPosix
import Synchronization
import WebSocketDiagnosis
import WebSocketProbe

@testable import WebSocketLab

/// Echo server(s) behind a fault proxy on loopback, and a client factory, for proxy and fault tests.
struct ProxyHarness {
    let echoes: [EchoServer]
    let proxy: FaultProxy

    static func start(
        faults: [String] = [], instances: Int = 1, configure: (inout ProxyConfiguration) -> Void = { _ in }
    ) async throws -> ProxyHarness {
        var echoes: [EchoServer] = []
        for i in 0..<instances { echoes.append(try await EchoServer.start(configuration: .init(name: "echo-\(i)"))) }
        var configuration = ProxyConfiguration(
            upstreams: echoes.map { ProxyUpstream(host: "127.0.0.1", port: $0.port) },
            faults: try faults.map { try FaultSpec(parsing: $0) })
        configure(&configuration)
        let proxy = try await FaultProxy.start(configuration)
        return ProxyHarness(echoes: echoes, proxy: proxy)
    }

    func clientConfiguration(path: String = "/", direct: Bool = false) throws -> ClientConfiguration {
        let port = direct ? echoes[0].port : proxy.port
        var configuration = ClientConfiguration(url: try WebSocketURL(parsing: "ws://127.0.0.1:\(port)\(path)"))
        // Guards against a hang, hence generous (a busy machine); a test about a timeout sets its own.
        configuration.timeouts.connect = .seconds(10)
        configuration.timeouts.upgrade = .seconds(10)
        configuration.timeouts.message = .seconds(10)
        configuration.timeouts.close = .seconds(3)
        return configuration
    }

    func connect(direct: Bool = false, configure: (inout ClientConfiguration) -> Void = { _ in }) async throws -> WebSocketConnection {
        var configuration = try clientConfiguration(direct: direct)
        configure(&configuration)
        return await WebSocketConnection.connect(configuration)
    }

    func stop() async {
        await proxy.shutdown()
        for echo in echoes { await echo.shutdown() }
    }
}

/// When a connection ended, read from its transcript's own clock (stamped as the event happened, not when a
/// loaded test task got to run again). A proxy's timer starts at its accept, which falls between the start of
/// the client's connect and the open: `sinceStartMs` bounds the timer from above (use it for lower bounds),
/// `sinceOpenMs` from below (use it for upper bounds).
struct EndTiming {
    var sinceStartMs: Double
    var sinceOpenMs: Double
}

/// The ``EndTiming`` of `client`; `nil` while it is open or when it never opened.
func endTiming(_ client: WebSocketConnection) async -> EndTiming? {
    let t = await client.transcript()
    guard let open = t.timings.openAtMs, let end = t.close.received?.atMs ?? t.close.atMs else { return nil }
    return EndTiming(sinceStartMs: end, sinceOpenMs: end - open)
}

/// Milliseconds elapsed while running `body`.
func elapsedMs<T>(_ body: () async throws -> T) async rethrows -> (T, Double) {
    let start = ContinuousClock.now
    let value = try await body()
    return (value, (ContinuousClock.now - start).milliseconds)
}

/// A one-shot raw HTTP/1.1 exchange on loopback: sends `request`, returns everything until the
/// peer closes (bounded by `timeout`).
enum ProxyTestHTTP {
    static func exchange(port: Int, _ request: String, timeout: Duration = .seconds(3)) async throws -> String {
        let collector = Collector()
        let channel = try await ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .channelInitializer { channel in
                channel.eventLoop.makeCompletedFuture { try channel.pipeline.syncOperations.addHandler(collector) }
            }
            .connect(host: "127.0.0.1", port: port).get()
        try await channel.writeAndFlush(channel.allocator.buffer(string: request))
        let deadline = ContinuousClock.now + timeout
        while channel.isActive, ContinuousClock.now < deadline { try await Task.sleep(for: .milliseconds(10)) }
        try? await channel.close()
        return collector.text
    }

    /// `METHOD path` with an optional body, `Connection: close`, `Host: 127.0.0.1:PORT` (unless `headers` has a
    /// Host; `nil` as a value leaves that header out) and the other `headers`.
    static func request(
        port: Int, _ method: String, _ path: String, body: String = "", headers: KeyValuePairs<String, String?> = [:]
    ) async throws -> (status: Int, body: String) {
        let (status, _, responseBody) = try await requestWithHead(port: port, method, path, body: body, headers: headers)
        return (status, responseBody)
    }

    /// ``request(port:_:_:body:headers:)`` that also returns the response head.
    static func requestWithHead(
        port: Int, _ method: String, _ path: String, body: String = "", headers: KeyValuePairs<String, String?> = [:]
    ) async throws -> (status: Int, head: String, body: String) {
        var head = "\(method) \(path) HTTP/1.1\r\n"
        if !headers.contains(where: { $0.key.lowercased() == "host" }) { head += "Host: 127.0.0.1:\(port)\r\n" }
        for (name, value) in headers { if let value { head += "\(name): \(value)\r\n" } }
        let text = try await exchange(port: port, head + "Content-Length: \(body.utf8.count)\r\nConnection: close\r\n\r\n\(body)")
        let status = text.split(separator: " ", maxSplits: 2).dropFirst().first.flatMap { Int($0) } ?? 0
        let parts = text.components(separatedBy: "\r\n\r\n")
        return (status, parts.first ?? "", parts.dropFirst().joined(separator: "\r\n\r\n"))
    }

    /// Headers of a change the admin API accepts without a token.
    static let json: KeyValuePairs<String, String?> = ["Content-Type": "application/json"]

    final class Collector: ChannelInboundHandler, Sendable {
        typealias InboundIn = ByteBuffer
        private let bytes = Mutex<[UInt8]>([])
        var text: String { bytes.withLock { String(decoding: $0, as: UTF8.self) } }
        var raw: [UInt8] { bytes.withLock { $0 } }
        func channelRead(context: ChannelHandlerContext, data: NIOAny) {
            var buffer = unwrapInboundIn(data)
            if let read = buffer.readBytes(length: buffer.readableBytes) { bytes.withLock { $0 += read } }
        }
    }
}
