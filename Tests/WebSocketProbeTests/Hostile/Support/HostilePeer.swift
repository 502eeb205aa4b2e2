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
            if buffer.count >= 4, let end = (0...(buffer.count - 4)).first(where: { buffer[$0] == 13 && buffer[$0 + 1] == 10 && buffer[$0 + 2] == 13 && buffer[$0 + 3] == 10 }) {
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

/// Raw server frames, including ones no valid server would send.
enum HostileFrame {
    /// A frame from its first byte, a declared length (which may differ from the payload) and an optional mask.
    static func raw(_ b0: UInt8, length: UInt64? = nil, payload: [UInt8] = [], mask: [UInt8]? = nil) -> [UInt8] {
        let n = length ?? UInt64(payload.count)
        let maskBit: UInt8 = mask == nil ? 0 : 0x80
        var out: [UInt8] = [b0]
        if n < 126 {
            out.append(maskBit | UInt8(n))
        } else if n <= 0xFFFF {
            out += [maskBit | 126, UInt8(n >> 8), UInt8(n & 0xFF)]
        } else {
            out.append(maskBit | 127)
            for shift in stride(from: 56, through: 0, by: -8) { out.append(UInt8((n >> UInt64(shift)) & 0xFF)) }
        }
        if let mask {
            out += mask
            out += payload.enumerated().map { $0.element ^ mask[$0.offset & 3] }
        } else {
            out += payload
        }
        return out
    }

    /// A frame with FIN and `opcode`.
    static func frame(_ opcode: UInt8, _ payload: [UInt8] = [], fin: Bool = true, rsv: UInt8 = 0) -> [UInt8] {
        raw((fin ? 0x80 : 0) | (rsv << 4) | opcode, payload: payload)
    }

    /// A close frame with `code` (big-endian) and raw reason bytes.
    static func close(_ code: Int, reason: [UInt8] = []) -> [UInt8] {
        frame(0x8, [UInt8((code >> 8) & 0xFF), UInt8(code & 0xFF)] + reason)
    }
}
