import NIOCore
import WebSocketWire

/// One load connection: upgrades, then keeps `window` echo messages in flight until the deadline,
/// timing each round trip. Confined to its channel's event loop.
final class EchoLoadHandler: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = ByteBuffer
    typealias OutboundOut = ByteBuffer

    /// What one connection measured.
    struct Result: Sendable {
        var messages = 0
        var latenciesNanos: [UInt64] = []
        var error: String?
    }

    private let request: ByteBuffer
    private let frame: ByteBuffer
    private let window: Int
    private let upgraded: EventLoopPromise<Void>
    private let finished: EventLoopPromise<Result>
    private var buffer: ByteBuffer?
    private var isUpgraded = false
    private var upgradeSettled = false
    private var sentAt = CircularBuffer<UInt64>(initialCapacity: 16)
    private var deadline: UInt64 = 0
    private var running = false
    private var done = false
    private var result = Result()
    private var context: ChannelHandlerContext?

    init(request: ByteBuffer, frame: ByteBuffer, window: Int, upgraded: EventLoopPromise<Void>, finished: EventLoopPromise<Result>) {
        self.request = request
        self.frame = frame
        self.window = max(1, window)
        self.upgraded = upgraded
        self.finished = finished
        result.latenciesNanos.reserveCapacity(1 << 14)
    }

    func channelActive(context: ChannelHandlerContext) {
        self.context = context
        context.writeAndFlush(wrapOutboundOut(request), promise: nil)
    }

    /// Starts sending: `window` messages now, one more per echo until `deadlineNanos` (uptime).
    func begin(deadlineNanos: UInt64) {
        guard isUpgraded, !done, let context else { return }
        deadline = deadlineNanos
        running = true
        for _ in 0..<window { sendOne(context: context) }
        // A stuck connection still reports: give in-flight messages 2 s after the deadline.
        let now = NIODeadline.now().uptimeNanoseconds
        let wait = deadlineNanos > now ? deadlineNanos - now : 0
        context.eventLoop.assumeIsolated().scheduleTask(in: .nanoseconds(Int64(wait)) + .seconds(2)) { [self] in
            finish(error: sentAt.isEmpty ? nil : "\(sentAt.count) message(s) still in flight 2 s after the deadline")
        }
    }

    private func sendOne(context: ChannelHandlerContext) {
        sentAt.append(NIODeadline.now().uptimeNanoseconds)
        context.writeAndFlush(wrapOutboundOut(frame), promise: nil)
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        var incoming = unwrapInboundIn(data)
        if buffer == nil { buffer = incoming } else { buffer!.writeBuffer(&incoming) }
        if !isUpgraded {
            guard let end = WireCodec.headEnd(buffer!) else { return }
            let head = buffer!.readString(length: end) ?? ""
            guard head.hasPrefix("HTTP/1.1 101") else {
                let line = head.split(separator: "\r\n").first.map(String.init) ?? head
                settleUpgrade(LoadError("upgrade refused: \(line)"))
                finish(error: "upgrade refused: \(line)")
                context.close(promise: nil)
                return
            }
            isUpgraded = true
            settleUpgrade(nil)
        }
        scanFrames(context: context)
        if buffer?.readableBytes == 0 { buffer = nil }
    }

    private func scanFrames(context: ChannelHandlerContext) {
        while let head = WireCodec.peekHead(buffer!), buffer!.readableBytes >= head.totalLength {
            buffer!.moveReaderIndex(forwardBy: head.totalLength)
            guard head.opcode == .binary || head.opcode == .text, let sent = sentAt.popFirst() else { continue }
            let now = NIODeadline.now().uptimeNanoseconds
            guard running else { continue }
            if now <= deadline {
                result.messages += 1
                result.latenciesNanos.append(now - sent)
                sendOne(context: context)
            } else if sentAt.isEmpty {
                finish(error: nil)
            }
        }
    }

    private func settleUpgrade(_ error: (any Error)?) {
        guard !upgradeSettled else { return }
        upgradeSettled = true
        if let error { upgraded.fail(error) } else { upgraded.succeed(()) }
    }

    private func finish(error: String?) {
        guard !done else { return }
        done = true
        running = false
        if result.error == nil { result.error = error }
        finished.succeed(result)
    }

    func channelInactive(context: ChannelHandlerContext) {
        settleUpgrade(LoadError("connection closed before the 101"))
        finish(error: running ? "connection closed during the run" : nil)
        self.context = nil
        context.fireChannelInactive()
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        settleUpgrade(error)
        finish(error: "\(error)")
        context.close(promise: nil)
    }
}
