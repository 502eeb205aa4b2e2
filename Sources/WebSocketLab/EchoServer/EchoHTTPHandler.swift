import NIOCore
import NIOHTTP1

/// Answers plain HTTP requests on the echo server: `/health` → 200, else 426.
final class EchoHTTPHandler: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = HTTPServerRequestPart
    typealias OutboundOut = HTTPServerResponsePart

    let name: String
    private var head: HTTPRequestHead?

    init(name: String) { self.name = name }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch unwrapInboundIn(data) {
        case .head(let h): head = h
        case .body: break
        case .end:
            guard let head else { return }
            self.head = nil
            let path = head.uri.split(separator: "?").first.map(String.init) ?? head.uri
            let (status, body): (HTTPResponseStatus, String) =
                switch path {
                case "/health": (.ok, "{\"status\":\"healthy\"}")
                // The request headers as received, one per line: shows what a proxy changed.
                case "/headers": (.ok, head.headers.map { "\($0.name): \($0.value)\n" }.joined())
                default: (.upgradeRequired, "Upgrade Required")
                }
            var headers = HTTPHeaders()
            headers.add(name: "Content-Length", value: String(body.utf8.count))
            headers.add(name: "X-Echo-Instance", value: name)
            headers.add(name: "Connection", value: "close")
            context.write(wrapOutboundOut(.head(HTTPResponseHead(version: head.version, status: status, headers: headers))), promise: nil)
            context.write(wrapOutboundOut(.body(.byteBuffer(context.channel.allocator.buffer(string: body)))), promise: nil)
            let channel = context.channel
            context.writeAndFlush(wrapOutboundOut(.end(nil))).whenComplete { _ in channel.close(promise: nil) }
        }
    }
}
