import NIOCore
import NIOSSL
import NIOTLS

/// The last handler of the pipeline: forwards decrypted bytes, TLS completion, errors and the end
/// of the channel, in order, to the connection actor. Holds no protocol logic.
///
/// The actor's executor is this channel's event loop, so each event is handed over synchronously
/// (`assumeIsolated`), with no task, stream or thread hop. Events that come before the actor adopts
/// the channel (a server that speaks first, a TLS failure) are kept, in order, and handed over on adoption.
///
/// `@unchecked Sendable`: its mutable state is only touched on the channel's event loop (channel
/// callbacks, and ``adopt(by:)``, which the actor calls from that same loop).
final class WireEventHandler: ChannelDuplexHandler, @unchecked Sendable {
    typealias InboundIn = ByteBuffer
    typealias OutboundIn = ByteBuffer
    typealias OutboundOut = ByteBuffer

    private weak var connection: WebSocketConnection?
    private var adopted = false
    private var early: [WireEvent] = []
    private var inactive = false

    init() {}

    /// Hands every event so far, then every later one, to `connection`. Call on the channel's loop.
    func adopt(by connection: WebSocketConnection) {
        self.connection = connection
        adopted = true
        let events = early
        early = []
        for event in events { forward(event) }
    }

    private func forward(_ event: WireEvent) {
        guard adopted else {
            early.append(event)
            return
        }
        connection?.assumeIsolated { $0.deliver(event) }
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let buffer = unwrapInboundIn(data)
        if buffer.readableBytes > 0 {
            forward(.bytes(buffer, at: .now))
        }
    }

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        if let tls = event as? TLSUserEvent, case .handshakeCompleted = tls {
            let handler = try? context.pipeline.syncOperations.handler(type: NIOSSLClientHandler.self)
            let version = handler?.tlsVersion.map(Self.name)
            forward(.tlsHandshakeCompleted(protocolVersion: version, at: .now))
        }
        context.fireUserInboundEventTriggered(event)
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        forward(.error(TransportErrorKind.classify(error), at: .now))
        context.close(promise: nil)
    }

    func channelInactive(context: ChannelHandlerContext) {
        inactive = true
        forward(.inactive(at: .now))
        context.fireChannelInactive()
    }

    /// A reset can reach a write before it reaches a read: the kernel hands the pending ECONNRESET to the first
    /// call on the socket, and when that is our write (a ping sent while the loop had not yet read the reset — a
    /// busy machine), NIO closes the channel with the write's error and never fires `errorCaught`; the read after
    /// it sees only the end of the stream. The write's failure is the one place the reset shows, so it is reported
    /// as the transport error, as a read's would be. Other write failures (a channel we closed) are not.
    func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        let promise = promise ?? context.eventLoop.makePromise()
        promise.futureResult.whenFailure { [self] error in
            guard !inactive, case .reset = TransportErrorKind.classify(error) else { return }
            forward(.error(TransportErrorKind.classify(error), at: .now))
        }
        context.write(data, promise: promise)
    }

    private static func name(_ v: TLSVersion) -> String {
        switch v {
        case .tlsv1: "TLSv1"
        case .tlsv11: "TLSv1.1"
        case .tlsv12: "TLSv1.2"
        case .tlsv13: "TLSv1.3"
        }
    }
}

/// The first handler of the pipeline: counts bytes that cross the socket (TLS records included).
final class ByteCountingHandler: ChannelDuplexHandler, Sendable {
    typealias InboundIn = ByteBuffer
    typealias InboundOut = ByteBuffer
    typealias OutboundIn = ByteBuffer
    typealias OutboundOut = ByteBuffer

    let counters: LockedBox<WireTally>

    init(counters: LockedBox<WireTally>) {
        self.counters = counters
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let n = unwrapInboundIn(data).readableBytes
        let view = unwrapInboundIn(data)
        counters.withLock { tally in
            if tally.firstBytes.count < 16, let head = view.getBytes(at: view.readerIndex, length: min(16 - tally.firstBytes.count, n)) {
                tally.firstBytes += head
            }
            if !tally.handshake.finished { tally.handshake.feed(view.readableBytesView) }
            tally.bytesIn += n
        }
        context.fireChannelRead(data)
    }

    func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        let n = unwrapOutboundIn(data).readableBytes
        counters.withLock { $0.bytesOut += n }
        context.write(data, promise: promise)
    }
}

/// Bytes each way, shared between the counting handler and the connection.
struct WireTally: Sendable {
    var bytesIn = 0
    var bytesOut = 0
    /// The first bytes that arrived from the socket (before TLS): tells a plaintext port.
    var firstBytes: [UInt8] = []
    /// What the server's plaintext handshake records tell (a CertificateRequest).
    var handshake = TLSHandshakeSniffer()
}
