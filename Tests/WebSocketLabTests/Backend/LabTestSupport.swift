import Foundation
import NIOCore
import NIOPosix
import Testing
import WebSocketDiagnosis
import WebSocketLab
import WebSocketProbe

// MARK: - Raw HTTP (no client library: bytes on a socket, parsed here)

/// A raw HTTP/1.1 response read to EOF.
struct RawHTTPResponse: Sendable {
    var status: Int
    var headers: [(name: String, value: String)]
    var body: String

    func header(_ name: String) -> String? {
        headers.first { $0.name.lowercased() == name.lowercased() }?.value
    }
    var json: LabJSON? { LabJSON.parse(body) }
}

private final class ByteCollector: ChannelInboundHandler {
    typealias InboundIn = ByteBuffer
    private var bytes: [UInt8] = []
    private let promise: EventLoopPromise<[UInt8]>
    private var done = false
    init(promise: EventLoopPromise<[UInt8]>) { self.promise = promise }
    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        bytes += Array(unwrapInboundIn(data).readableBytesView)
        // A 101 never ends by itself: stop once its head is complete.
        let text = String(decoding: bytes, as: UTF8.self)
        if text.hasPrefix("HTTP/1.1 101"), text.contains("\r\n\r\n") {
            complete()
            context.close(promise: nil)
        }
    }
    func channelInactive(context: ChannelHandlerContext) { complete() }
    // A channel whose connect failed is torn down without ever going inactive: the promise is settled here too.
    func handlerRemoved(context: ChannelHandlerContext) { complete() }
    func errorCaught(context: ChannelHandlerContext, error: any Error) { context.close(promise: nil) }
    private func complete() {
        guard !done else { return }
        done = true
        promise.succeed(bytes)
    }
}

enum RawHTTP {
    struct Failure: Error { var message: String }

    /// Sends one request with `Connection: close` and reads the response to EOF.
    ///
    /// The bounds guard against a hang (a lab that never answers), not a timing: 10 s to connect, 15 s for the
    /// response, both far above what loopback needs even on a busy machine.
    static func request(
        port: Int, method: String = "GET", path: String, headers: [(String, String)] = [], body: String? = nil
    ) async throws -> RawHTTPResponse {
        let loop = MultiThreadedEventLoopGroup.singleton.next()
        let promise = loop.makePromise(of: [UInt8].self)
        let channel: any Channel
        do {
            channel = try await ClientBootstrap(group: loop)
                .connectTimeout(.seconds(10))
                .channelInitializer { channel in
                    channel.eventLoop.makeCompletedFuture {
                        try channel.pipeline.syncOperations.addHandler(ByteCollector(promise: promise))
                    }
                }
                .connect(host: "127.0.0.1", port: port).get()
        } catch {
            // Settled on every path: an unfulfilled promise is a crash in debug builds.
            promise.fail(error)
            throw error
        }
        var text = "\(method) \(path) HTTP/1.1\r\nHost: 127.0.0.1:\(port)\r\nConnection: close\r\n"
        for (name, value) in headers { text += "\(name): \(value)\r\n" }
        if let body { text += "Content-Type: application/json\r\nContent-Length: \(body.utf8.count)\r\n" }
        text += "\r\n" + (body ?? "")
        let timeout = channel.eventLoop.scheduleTask(in: .seconds(15)) { channel.close(promise: nil) }
        // A failed write closes the channel, which settles the promise with what arrived (nothing).
        channel.writeAndFlush(ByteBuffer(string: text), promise: nil)
        let bytes = try await promise.futureResult.get()
        timeout.cancel()
        try? await channel.close()
        let raw = String(decoding: bytes, as: UTF8.self)
        guard let split = raw.range(of: "\r\n\r\n") else { throw Failure(message: "no complete response head: \(raw.prefix(200))") }
        let lines = raw[..<split.lowerBound].components(separatedBy: "\r\n")
        let statusParts = lines.first?.split(separator: " ") ?? []
        guard statusParts.count >= 2, let status = Int(statusParts[1]) else {
            throw Failure(message: "bad status line \(lines.first ?? "")")
        }
        let headers = lines.dropFirst().compactMap { line -> (name: String, value: String)? in
            guard let colon = line.firstIndex(of: ":") else { return nil }
            return (String(line[..<colon]), line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces))
        }
        return RawHTTPResponse(status: status, headers: headers, body: String(raw[split.upperBound...]))
    }

    /// A WebSocket upgrade request for `/ws` with extra headers, read raw.
    static func upgrade(port: Int, path: String = "/ws", headers: [(String, String)] = []) async throws -> RawHTTPResponse {
        try await request(
            port: port, path: path,
            headers: [
                ("Upgrade", "websocket"), ("Connection", "Upgrade"), ("Sec-WebSocket-Key", "dGhlIHNhbXBsZSBub25jZQ=="),
                ("Sec-WebSocket-Version", "13"),
            ] + headers)
    }
}

// MARK: - Lab and client helpers

/// A lab configuration for tests: short step delay, keepalive off unless a test turns it on.
func testConfiguration(_ faults: [String] = []) throws -> LabConfiguration {
    var configuration = LabConfiguration()
    configuration.agentStepDelay = .milliseconds(5)
    configuration.heartbeat = nil
    configuration.restartDowntime = .milliseconds(300)
    configuration.appFaults = try faults.map { try FaultSpec(parsing: $0) }
    return configuration
}

/// Runs `body` against a fresh lab and always shuts it down.
func withLab<T>(
    _ configuration: LabConfiguration, eventLoopGroup: (any EventLoopGroup)? = nil,
    _ body: (LabServer) async throws -> T
) async throws -> T {
    let lab = try await LabServer.start(configuration, eventLoopGroup: eventLoopGroup)
    do {
        let result = try await body(lab)
        await lab.shutdown()
        return result
    } catch {
        await lab.shutdown()
        throw error
    }
}

/// How a test presents its token.
enum TokenChannel { case subprotocol, base64Subprotocol, header, query, none }

/// A client configuration for the lab's `/ws` with `token` sent over `channel`.
func clientConfiguration(_ lab: LabServer, token: String?, via channel: TokenChannel = .subprotocol) throws -> ClientConfiguration {
    var url = lab.websocketURL
    if channel == .query, let token { url += "?token=\(token)" }
    var configuration = ClientConfiguration(url: try WebSocketURL(parsing: url))
    // Guards against a hang, hence generous: on a busy machine a loopback handshake can take seconds.
    configuration.timeouts.connect = .seconds(10)
    configuration.timeouts.upgrade = .seconds(10)
    configuration.timeouts.message = .seconds(10)
    configuration.timeouts.close = .seconds(2)
    switch (channel, token) {
    case (.subprotocol, let token?): configuration.subprotocols = ["jwt-auth", "jwt.\(token)"]
    case (.base64Subprotocol, let token?):
        let b64 = Data(token.utf8).base64EncodedString()
            .replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_").replacingOccurrences(of: "=", with: "")
        configuration.subprotocols = ["jwt-auth", "jwt.\(b64)"]
    case (.header, let token?): configuration.headers = [HeaderField("Authorization", "Bearer \(token)")]
    default: break
    }
    if let token { configuration.redactor = configuration.redactor.adding(secrets: [token]) }
    return configuration
}

/// Connects `email` (token minted by the lab) and reads the welcome.
func connectUser(
    _ lab: LabServer, email: String = TestUser.enterprise.email, via channel: TokenChannel = .subprotocol,
    answerPings: Bool = true
) async throws -> (WebSocketConnection, LabJSON?) {
    let token = try await lab.mintToken(email: email)
    var configuration = try clientConfiguration(lab, token: token, via: channel)
    configuration.answerPings = answerPings
    let connection = await WebSocketConnection.connect(configuration)
    guard await connection.isOpen else { return (connection, nil) }
    return (connection, await receiveJSON(connection))
}

/// The next text message as JSON (`nil` on timeout, close or non-JSON). The default bound guards against a hang.
func receiveJSON(_ connection: WebSocketConnection, timeout: Duration = .seconds(10)) async -> LabJSON? {
    if case .text(let text) = await connection.receive(timeout: timeout) { return LabJSON.parse(text) }
    return nil
}

/// Sends `{"type": type, "payload": payload}`.
func sendMessage(_ connection: WebSocketConnection, _ type: String, _ payload: LabJSON = [:]) async {
    await connection.send(text: LabJSON.object(["type": .string(type), "payload": payload]).text)
}

/// Receives messages until one of `types` arrives (included), the connection ends or `timeout` passes.
func receiveUntil(_ connection: WebSocketConnection, _ types: Set<String>, timeout: Duration = .seconds(10))
    async -> (messages: [LabJSON], end: CloseObservation?)
{
    let deadline = ContinuousClock.now + timeout
    var messages: [LabJSON] = []
    while ContinuousClock.now < deadline {
        switch await connection.receive(timeout: deadline - ContinuousClock.now) {
        case .text(let text):
            guard let json = LabJSON.parse(text) else { continue }
            messages.append(json)
            if let type = json["type"]?.stringValue, types.contains(type) { return (messages, nil) }
        case .binary: continue
        case .closed(let observation): return (messages, observation)
        case .timeout: return (messages, nil)
        }
    }
    return (messages, nil)
}

extension LabJSON {
    var type: String? { self["type"]?.stringValue }
    func payloadString(_ key: String) -> String? { self["payload"]?[key]?.stringValue }
}
