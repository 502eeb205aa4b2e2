import NIOCore
import NIOHTTP2
import NIOTLS

/// On a connection whose WebSocket runs over HTTP/2 (`--http2`): when the TLS handshake completes with
/// ALPN `h2`, puts HTTP/2 (`NIOHTTP2Handler` and ``HTTP2WebSocketStreamHandler``) in the pipeline after
/// itself, before the first byte after the handshake; otherwise hands the connection the protocol that
/// was selected. Passes every byte and event on unchanged.
final class HTTP2TransportALPNHandler: ChannelInboundHandler, RemovableChannelHandler, Sendable {
    typealias InboundIn = ByteBuffer
    typealias InboundOut = ByteBuffer

    private let transport: HTTP2Transport
    private let slot: HTTP2StreamSlot

    init(transport: HTTP2Transport, slot: HTTP2StreamSlot) {
        self.transport = transport
        self.slot = slot
    }

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        if case TLSUserEvent.handshakeCompleted(let selected) = event {
            if selected == "h2" {
                do {
                    let stream = HTTP2WebSocketStreamHandler(state: transport.state, request: transport.request, slot: slot)
                    let http2 = NIOHTTP2Handler(mode: .client, initialSettings: nioDefaultSettings)
                    try context.pipeline.syncOperations.addHandlers([http2, stream], position: .after(self))
                } catch {
                    slot.complete(.ended(HTTP2StreamEnding(end: nil, kind: nil, detail: "cannot set up HTTP/2: \(error)", at: .now)))
                }
            } else {
                slot.complete(.notNegotiated(selected))
            }
        }
        context.fireUserInboundEventTriggered(event)
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        // Never leave the promise open: a connection that failed before TLS ends here.
        slot.complete(.ended(HTTP2StreamEnding(end: nil, kind: nil, detail: "the connection closed", at: .now)))
    }
}
