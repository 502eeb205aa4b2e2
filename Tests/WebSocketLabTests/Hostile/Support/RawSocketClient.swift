import NIOCore
import NIOPosix
import Synchronization

/// A raw TCP client for hostile-client tests: writes whatever a test scripts and collects what comes back,
/// with bounded waits only.
final class RawSocketClient: Sendable {
    /// What has arrived so far and whether the server ended the connection.
    final class Inbox: Sendable {
        let state = Mutex<(bytes: [UInt8], closed: Bool)>(([], false))
    }

    final class Collector: ChannelInboundHandler {
        typealias InboundIn = ByteBuffer
        let inbox: Inbox
        init(inbox: Inbox) { self.inbox = inbox }
        func channelRead(context: ChannelHandlerContext, data: NIOAny) {
            let bytes = Array(unwrapInboundIn(data).readableBytesView)
            inbox.state.withLock { $0.bytes += bytes }
        }
        func channelInactive(context: ChannelHandlerContext) {
            inbox.state.withLock { $0.closed = true }
            context.fireChannelInactive()
        }
        func errorCaught(context: ChannelHandlerContext, error: any Error) {
            context.close(promise: nil)
        }
    }

    let channel: any Channel
    let inbox: Inbox

    private init(channel: any Channel, inbox: Inbox) {
        self.channel = channel
        self.inbox = inbox
    }

    /// Connects to 127.0.0.1:`port` (bounded by 2 s).
    static func connect(port: Int) async throws -> RawSocketClient {
        let inbox = Inbox()
        let channel = try await ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .connectTimeout(.seconds(2))
            .channelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addHandler(Collector(inbox: inbox))
                }
            }
            .connect(host: "127.0.0.1", port: port).get()
        return RawSocketClient(channel: channel, inbox: inbox)
    }

    func send(_ bytes: [UInt8]) async throws {
        try await channel.writeAndFlush(ByteBuffer(bytes: bytes))
    }

    func send(_ text: String) async throws {
        try await send(Array(text.utf8))
    }

    var received: [UInt8] { inbox.state.withLock { $0.bytes } }
    var receivedText: String { String(decoding: received, as: UTF8.self) }
    var isClosed: Bool { inbox.state.withLock { $0.closed } }

    /// Waits (bounded) until `condition` holds on what arrived; returns whether it did.
    @discardableResult
    func wait(_ bound: Duration, until condition: @Sendable ([UInt8], Bool) -> Bool) async -> Bool {
        let deadline = ContinuousClock.now + bound
        while ContinuousClock.now < deadline {
            if inbox.state.withLock({ condition($0.bytes, $0.closed) }) { return true }
            try? await Task.sleep(for: .milliseconds(10))
        }
        return inbox.state.withLock { condition($0.bytes, $0.closed) }
    }

    /// Waits (bounded) until the server ends the connection.
    func waitForClose(_ bound: Duration) async -> Bool {
        await wait(bound) { _, closed in closed }
    }

    func close() async {
        try? await channel.close()
    }

    /// A client frame: masked unless `mask` is nil, with an optional declared length that differs from the payload.
    static func frame(_ b0: UInt8, _ payload: [UInt8] = [], mask: [UInt8]? = [0x11, 0x22, 0x33, 0x44], length: UInt64? = nil) -> [UInt8] {
        let n = length ?? UInt64(payload.count)
        let bit: UInt8 = mask == nil ? 0 : 0x80
        var out: [UInt8] = [b0]
        if n < 126 {
            out.append(bit | UInt8(n))
        } else if n <= 0xFFFF {
            out += [bit | 126, UInt8(n >> 8), UInt8(n & 0xFF)]
        } else {
            out.append(bit | 127)
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

    /// The server frames in `bytes` after the HTTP head: (opcode, payload) pairs, unmasked server frames only.
    static func serverFrames(_ bytes: [UInt8]) -> [(opcode: UInt8, payload: [UInt8])] {
        var index = 0
        if let head = headEnd(bytes) { index = head }
        var frames: [(UInt8, [UInt8])] = []
        while index + 2 <= bytes.count {
            let opcode = bytes[index] & 0x0F
            var length = Int(bytes[index + 1] & 0x7F)
            var offset = index + 2
            if length == 126 {
                guard offset + 2 <= bytes.count else { break }
                length = Int(bytes[offset]) << 8 | Int(bytes[offset + 1])
                offset += 2
            } else if length == 127 {
                guard offset + 8 <= bytes.count else { break }
                length = (0..<8).reduce(0) { $0 << 8 | Int(bytes[offset + $1]) }
                offset += 8
            }
            guard length >= 0, offset + length <= bytes.count else { break }
            frames.append((opcode, Array(bytes[offset..<(offset + length)])))
            index = offset + length
        }
        return frames
    }

    /// The close code of the first close frame the server sent, if any.
    static func closeCode(_ bytes: [UInt8]) -> Int? {
        guard let close = serverFrames(bytes).first(where: { $0.opcode == 0x8 }), close.payload.count >= 2 else { return nil }
        return Int(close.payload[0]) << 8 | Int(close.payload[1])
    }

    static func headEnd(_ bytes: [UInt8]) -> Int? {
        guard bytes.count >= 4 else { return nil }
        for i in 0...(bytes.count - 4) where bytes[i] == 13 && bytes[i + 1] == 10 && bytes[i + 2] == 13 && bytes[i + 3] == 10 {
            return i + 4
        }
        return nil
    }
}
