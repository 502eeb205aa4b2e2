import NIOCore
import NIOPosix
import WebSocketProbe

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// The server side of one hostile connection: reads the client's bytes and writes whatever a case scripts.
/// Used by one script task at a time (hence `@unchecked Sendable`, to cross into the bounded race).
final class HostilePeer: @unchecked Sendable {
    struct Ended: Error {}

    let channel: any Channel
    private var iterator: NIOAsyncChannelInboundStream<ByteBuffer>.AsyncIterator
    private let output: NIOAsyncChannelOutboundWriter<ByteBuffer>
    private var buffer: [UInt8] = []
    /// The upgrade request the client sent (after ``readRequest()``).
    private(set) var request = ""

    init(channel: any Channel, input: NIOAsyncChannelInboundStream<ByteBuffer>, output: NIOAsyncChannelOutboundWriter<ByteBuffer>) {
        self.channel = channel
        self.iterator = input.makeAsyncIterator()
        self.output = output
    }

    // MARK: Reading

    /// Reads more bytes; throws ``Ended`` at EOF.
    func fill() async throws {
        guard var chunk = try await iterator.next() else { throw Ended() }
        buffer += chunk.readBytes(length: chunk.readableBytes) ?? []
    }

    /// Reads the request head (up to the blank line).
    @discardableResult
    func readRequest() async throws -> String {
        while true {
            if buffer.count >= 4,
                let end = (0...(buffer.count - 4)).first(where: {
                    buffer[$0] == 13 && buffer[$0 + 1] == 10 && buffer[$0 + 2] == 13 && buffer[$0 + 3] == 10
                })
            {
                request = String(decoding: buffer[..<end], as: UTF8.self)
                buffer.removeFirst(end + 4)
                return request
            }
            try await fill()
        }
    }

    /// Reads at least `count` bytes (e.g. part of a TLS ClientHello).
    func readBytes(atLeast count: Int) async throws {
        while buffer.count < count { try await fill() }
    }

    /// Reads and discards until EOF (the script bound ends it otherwise).
    func drain() async {
        while (try? await fill()) != nil { buffer.removeAll() }
    }

    /// The request header `name`.
    func header(_ name: String) -> String? {
        for line in request.split(separator: "\r\n").dropFirst() {
            guard let colon = line.firstIndex(of: ":") else { continue }
            if line[..<colon].lowercased() == name.lowercased() {
                return line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
            }
        }
        return nil
    }

    /// The correct `Sec-WebSocket-Accept` for the request read.
    var acceptValue: String { UpgradeRequest.acceptValue(forKey: header("Sec-WebSocket-Key") ?? "") }

    // MARK: Writing

    func write(_ bytes: [UInt8]) async throws {
        try await output.write(ByteBuffer(bytes: bytes))
    }

    func write(_ text: String) async throws {
        try await write(Array(text.utf8))
    }

    /// Reads the request and answers a well-formed 101 (`drop` removes headers by name, `extra` adds lines).
    func acceptUpgrade(drop: Set<String> = [], extra: [String] = [], accept: String? = nil, trailing: [UInt8] = []) async throws {
        try await readRequest()
        var lines = ["Upgrade: websocket", "Connection: Upgrade", "Sec-WebSocket-Accept: \(accept ?? acceptValue)"]
        lines.removeAll { line in drop.contains { line.lowercased().hasPrefix($0.lowercased() + ":") } }
        let head = (["HTTP/1.1 101 Switching Protocols"] + lines + extra).joined(separator: "\r\n") + "\r\n\r\n"
        try await write(Array(head.utf8) + trailing)
    }

    /// Ends with a TCP reset (SO_LINGER 0, then close).
    func reset() async {
        if let provider = channel as? any SocketOptionProvider {
            try? await provider.setSoLinger(linger(l_onoff: 1, l_linger: 0)).get()
        }
        try? await channel.close()
    }
}
