import NIOCore
import NIOWebSocket
import WebSocketWire

/// Echoes frames: data as received (opcode and FIN kept), ping → pong, close → close with the same code.
final class EchoWebSocketHandler: ChannelInboundHandler {
    typealias InboundIn = WebSocketFrame
    typealias OutboundOut = WebSocketFrame

    private var sentClose = false

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let frame = unwrapInboundIn(data)
        if frame.rsv1 || frame.rsv2 || frame.rsv3 {
            // No extension was negotiated: a reserved bit is a protocol error (RFC 6455 §5.2).
            failConnection(
                context: context, code: UInt16(CloseCode.protocolError.rawValue), reason: "reserved bits set without a negotiated extension"
            )
            return
        }
        switch frame.opcode {
        case .text, .binary, .continuation:
            let data = Self.unmasked(frame, allocator: context.channel.allocator)
            context.writeAndFlush(wrapOutboundOut(WebSocketFrame(fin: frame.fin, opcode: frame.opcode, data: data)), promise: nil)
        case .ping:
            context.writeAndFlush(wrapOutboundOut(WebSocketFrame(fin: true, opcode: .pong, data: frame.unmaskedData)), promise: nil)
        case .connectionClose:
            guard !sentClose else {
                context.close(promise: nil)
                return
            }
            sentClose = true
            var payload = frame.unmaskedData
            let code = payload.readInteger(as: UInt16.self)
            var reply = context.channel.allocator.buffer(capacity: 2)
            if let code { reply.writeInteger(code) }
            let channel = context.channel
            context.writeAndFlush(wrapOutboundOut(WebSocketFrame(fin: true, opcode: .connectionClose, data: reply))).whenComplete { _ in
                channel.close(promise: nil)
            }
        default:
            break
        }
    }

    private func failConnection(context: ChannelHandlerContext, code: UInt16, reason: String) {
        guard !sentClose else { return }
        sentClose = true
        var body = context.channel.allocator.buffer(capacity: 2 + reason.utf8.count)
        body.writeInteger(code)
        body.writeString(reason)
        let channel = context.channel
        context.writeAndFlush(wrapOutboundOut(WebSocketFrame(fin: true, opcode: .connectionClose, data: body))).whenComplete { _ in
            channel.close(promise: nil)
        }
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        context.close(promise: nil)
    }
}
