import NIOCore
import NIOHTTP1
import NIOWebSocket

/// Serves the plain HTTP side of a lab port: `/health`, `/auth/*`, and the refusals of `/ws` upgrades that
/// the upgrader turned down (403, 429, 500, 503 with a body). Requests are bounded (head by the decoder,
/// body by `maxBodyBytes`).
final class LabHTTPHandler: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = HTTPServerRequestPart
    typealias OutboundOut = HTTPServerResponsePart

    /// Pipeline name, so the upgrade can remove this handler.
    static let name = "lab-http"

    /// Which services this port offers.
    struct Routes: Sendable {
        var backend: Bool
        var auth: Bool
    }

    private let state: LabState
    private let routes: Routes
    private let slot: UpgradeSlot
    private var head: HTTPRequestHead?
    private var body: ByteBuffer?
    private var bodyTooLarge = false

    init(state: LabState, routes: Routes, slot: UpgradeSlot) {
        self.state = state
        self.routes = routes
        self.slot = slot
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch unwrapInboundIn(data) {
        case .head(let h):
            head = h
            body = context.channel.allocator.buffer(capacity: 0)
            bodyTooLarge = false
        case .body(var part):
            if (body?.readableBytes ?? 0) + part.readableBytes > state.configuration.maxBodyBytes {
                bodyTooLarge = true
            } else {
                body?.writeBuffer(&part)
            }
        case .end:
            guard let head else { return }
            self.head = nil
            respond(context: context, head: head, body: body.map { Array($0.readableBytesView) } ?? [])
            body = nil
        }
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        // A refused upgrade is reported here before the request itself arrives; the refusal is in the slot.
        if error is NIOWebSocketUpgradeError || error is HTTPServerUpgradeErrors { return }
        context.close(promise: nil)
    }

    // MARK: - Routing

    private func respond(context: ChannelHandlerContext, head: HTTPRequestHead, body: [UInt8]) {
        let path = String(head.uri.split(separator: "?", maxSplits: 1, omittingEmptySubsequences: false).first ?? "")
        let keepAlive = head.isKeepAlive
        if bodyTooLarge {
            write(
                context: context, head: head,
                refusal: .json(
                    status: 413,
                    [
                        "error": "body_too_large", "message": "request bodies are limited to \(state.configuration.maxBodyBytes) bytes",
                    ]), keepAlive: false)
            return
        }
        if routes.auth, AuthService.handles(path: path) {
            // Answered here, on the event loop: the auth route never waits for the cooperative pool.
            let reply = state.auth.handle(
                method: head.method.rawValue, path: path, authorization: head.headers.first(name: "authorization"), body: body)
            write(context: context, head: head, refusal: .json(status: reply.status, reply.body), keepAlive: keepAlive)
            return
        }
        if routes.backend {
            if path == "/health" {
                let health = state.health(at: .now)
                write(
                    context: context, head: head, refusal: .json(status: health.status, ["status": .string(health.text)]),
                    keepAlive: keepAlive)
                return
            }
            if let decision = slot.take(), case .refuse(let refusal) = decision {
                write(context: context, head: head, refusal: refusal, keepAlive: false)
                return
            }
            if path == "/ws" {
                write(
                    context: context, head: head,
                    refusal: .json(
                        status: 426,
                        [
                            "error": "upgrade_required", "message": "/ws is a WebSocket endpoint: send Upgrade: websocket",
                        ]), keepAlive: false)
                return
            }
        }
        write(
            context: context, head: head, refusal: .json(status: 404, ["error": "not_found", "message": "no route \(path)"]),
            keepAlive: keepAlive)
    }

    private func write(context: ChannelHandlerContext, head: HTTPRequestHead, refusal: HTTPRefusal, keepAlive: Bool) {
        var headers = HTTPHeaders()
        headers.add(name: "Content-Type", value: refusal.contentType)
        headers.add(name: "Content-Length", value: String(refusal.body.utf8.count))
        headers.add(name: "Connection", value: keepAlive ? "keep-alive" : "close")
        let response = HTTPResponseHead(version: head.version, status: HTTPResponseStatus(statusCode: refusal.status), headers: headers)
        context.write(wrapOutboundOut(.head(response)), promise: nil)
        context.write(wrapOutboundOut(.body(.byteBuffer(context.channel.allocator.buffer(string: refusal.body)))), promise: nil)
        let done = context.writeAndFlush(wrapOutboundOut(.end(nil)))
        if !keepAlive {
            done.assumeIsolated().whenComplete { _ in context.close(promise: nil) }
        }
    }
}
