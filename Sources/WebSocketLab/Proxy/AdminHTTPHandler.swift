import Foundation
import NIOCore
import NIOHTTP1

/// Serves one admin request at a time on a connection: checks it with ``AdminRequestPolicy`` (Host, Origin,
/// token or JSON content type for changes), parses it into an ``AdminCommand`` and carries that out.
/// Bodies are bounded (64 KiB).
final class AdminHTTPHandler: ChannelInboundHandler {
    typealias InboundIn = HTTPServerRequestPart
    typealias OutboundOut = HTTPServerResponsePart

    static let maxBody = AdminCommand.maxBodyBytes

    let proxy: FaultProxy
    let policy: AdminRequestPolicy
    private var head: HTTPRequestHead?
    private var body: [UInt8] = []
    private var tooLarge = false

    init(proxy: FaultProxy, policy: AdminRequestPolicy) {
        self.proxy = proxy
        self.policy = policy
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch unwrapInboundIn(data) {
        case .head(let h):
            head = h
            body = []
            tooLarge = false
        case .body(var chunk):
            if body.count + chunk.readableBytes > Self.maxBody {
                tooLarge = true
            } else if let bytes = chunk.readBytes(length: chunk.readableBytes) {
                body += bytes
            }
        case .end:
            guard let head else { return }
            self.head = nil
            let (status, contentType, text) = answer(head)
            respond(context: context, status: status, contentType: contentType, body: text, keepAlive: head.isKeepAlive)
        }
    }

    // MARK: - Routes

    private func answer(_ head: HTTPRequestHead) -> (HTTPResponseStatus, String, String) {
        let headers = head.headers.map { (name: $0.name, value: $0.value) }
        if let refusal = policy.check(method: head.method.rawValue, headers: headers) { return Self.refused(refusal) }
        if tooLarge { return Self.refused(AdminRefusal(status: 413, message: "body larger than \(Self.maxBody / 1024) KiB")) }
        switch AdminCommand.parse(method: head.method.rawValue, uri: head.uri, body: body) {
        case .failure(let refusal):
            return Self.refused(refusal)
        case .success(.listFaults):
            return (.ok, "application/json", listJSON())
        case .success(.addFault(let spec)):
            do {
                try proxy.addFault(spec)
                return (.created, "application/json", listJSON())
            } catch {
                return Self.refused(AdminRefusal(status: 400, message: error.description))
            }
        case .success(.removeFault(let name)):
            return proxy.removeFault(named: name)
                ? (.noContent, "application/json", "")
                : Self.refused(
                    AdminRefusal(
                        status: 404, message: "no fault named \(AdminRefusal.quoted(name, limit: 80)) is installed; GET /faults lists them")
                )
        case .success(.reset):
            proxy.resetFaults()
            return (.noContent, "application/json", "")
        case .success(.metrics):
            return (.ok, "text/plain; version=0.0.4; charset=utf-8", proxy.metricsText())
        }
    }

    private static func refused(_ refusal: AdminRefusal) -> (HTTPResponseStatus, String, String) {
        (HTTPResponseStatus(statusCode: refusal.status), "application/json", error(refusal.message))
    }

    private func listJSON() -> String {
        struct Item: Encodable {
            var name: String
            var parameters: [String: String]
            var spec: String
        }
        let items = proxy.faultSpecs.map { Item(name: $0.name, parameters: $0.parameters, spec: $0.description) }
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return (try? encoder.encode(items)).map { String(decoding: $0, as: UTF8.self) } ?? "[]"
    }

    private static func error(_ message: String) -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.withoutEscapingSlashes]
        let encoded = (try? encoder.encode(["error": message])).map { String(decoding: $0, as: UTF8.self) }
        return encoded ?? "{\"error\":\"error\"}"
    }

    private func respond(context: ChannelHandlerContext, status: HTTPResponseStatus, contentType: String, body: String, keepAlive: Bool) {
        var headers = HTTPHeaders()
        let bytes = Array(body.utf8)
        if !bytes.isEmpty { headers.add(name: "Content-Type", value: contentType) }
        if status == .unauthorized { headers.add(name: "WWW-Authenticate", value: "Bearer realm=\"ws1011-admin\"") }
        headers.add(name: "Content-Length", value: String(bytes.count))
        if !keepAlive { headers.add(name: "Connection", value: "close") }
        context.write(wrapOutboundOut(.head(HTTPResponseHead(version: .http1_1, status: status, headers: headers))), promise: nil)
        if !bytes.isEmpty {
            var buffer = context.channel.allocator.buffer(capacity: bytes.count)
            buffer.writeBytes(bytes)
            context.write(wrapOutboundOut(.body(.byteBuffer(buffer))), promise: nil)
        }
        let done = context.writeAndFlush(wrapOutboundOut(.end(nil)))
        if !keepAlive {
            let channel = context.channel
            done.whenComplete { _ in channel.close(promise: nil) }
        }
    }
}
