import NIOCore
import NIOPosix
import Synchronization
import WebSocketWire

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
    /// The header and the masking are ``WebSocketWire``'s; a declared length that is not the payload's, or no mask
    /// at all, is what the codec's users never send and these tests do on purpose.
    static func frame(_ b0: UInt8, _ payload: [UInt8] = [], mask: [UInt8]? = [0x11, 0x22, 0x33, 0x44], length: UInt64? = nil) -> [UInt8] {
        let key = mask.flatMap { MaskingKey($0) }
        let header = FrameHeader(
            fin: b0 & 0x80 != 0, rsv: (b0 >> 4) & 0x7, opcode: FrameOpcode(rawValue: b0), maskKey: key,
            payloadLength: length ?? UInt64(payload.count))
        return header.encode() + (key.map { $0.applied(to: payload) } ?? payload)
    }

    /// The server frames in `bytes` after the HTTP head: (opcode, payload) pairs, unmasked server frames only,
    /// up to the first incomplete frame or header the codec refuses.
    static func serverFrames(_ bytes: [UInt8]) -> [(opcode: UInt8, payload: [UInt8])] {
        var index = headEnd(bytes) ?? 0
        var frames: [(UInt8, [UInt8])] = []
        while index < bytes.count,
            let header = bytes.withUnsafeBytes({ try? FrameHeader.decode(UnsafeRawBufferPointer(rebasing: $0[index...])) }) ?? nil,
            !header.isMasked
        {
            let start = index + header.encodedLength
            guard header.payloadLength <= UInt64(bytes.count - start) else { break }
            let end = start + Int(header.payloadLength)
            frames.append((header.opcode.rawValue, Array(bytes[start..<end])))
            index = end
        }
        return frames
    }

    /// The close code of the first close frame the server sent, if any.
    static func closeCode(_ bytes: [UInt8]) -> Int? {
        guard let close = serverFrames(bytes).first(where: { $0.opcode == FrameOpcode.close.rawValue }) else { return nil }
        return ClosePayload.peekCode(close.payload)?.rawValue
    }

    /// Where the HTTP head in `bytes` ends (index after the empty line), or nil while incomplete.
    static func headEnd(_ bytes: [UInt8]) -> Int? {
        var reader = HTTPHeadReader(maxBytes: 64 << 10)
        guard case .complete(_, let consumed) = reader.feed(bytes) else { return nil }
        return consumed
    }
}
