import Foundation
import NIOCore
import NIOHTTP1

/// Serves one admin request at a time on a connection; bodies are bounded (64 KiB).
final class AdminHTTPHandler: ChannelInboundHandler {
    typealias InboundIn = HTTPServerRequestPart
    typealias OutboundOut = HTTPServerResponsePart

    static let maxBody = 64 * 1024

    let proxy: FaultProxy
    private var head: HTTPRequestHead?
    private var body: [UInt8] = []
    private var tooLarge = false

    init(proxy: FaultProxy) { self.proxy = proxy }

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
            let (status, contentType, text) =
                tooLarge ? (HTTPResponseStatus.payloadTooLarge, "application/json", Self.error("body larger than 64 KiB")) : route(head)
            respond(context: context, status: status, contentType: contentType, body: text, keepAlive: head.isKeepAlive)
        }
    }

    // MARK: - Routes

    private func route(_ head: HTTPRequestHead) -> (HTTPResponseStatus, String, String) {
        let path = head.uri.split(separator: "?", maxSplits: 1).first.map(String.init) ?? head.uri
        switch (head.method, path) {
        case (.GET, "/faults"):
            return (.ok, "application/json", listJSON())
        case (.POST, "/faults"):
            do {
                let spec = try parseSpec()
                try proxy.addFault(spec)
                return (.created, "application/json", listJSON())
            } catch let error as FaultSpecError {
                return (.badRequest, "application/json", Self.error(error.description))
            } catch {
                return (.badRequest, "application/json", Self.error("\(error)"))
            }
        case (.DELETE, _) where path.hasPrefix("/faults/"):
            let name = String(path.dropFirst("/faults/".count)).removingPercentEncoding ?? ""
            return proxy.removeFault(named: name)
                ? (.noContent, "application/json", "")
                : (.notFound, "application/json", Self.error("no fault named '\(name)' is installed; GET /faults lists them"))
        case (.POST, "/reset"):
            proxy.resetFaults()
            return (.noContent, "application/json", "")
        case (.GET, "/metrics"):
            return (.ok, "text/plain; version=0.0.4; charset=utf-8", proxy.metricsText())
        case (_, "/faults"), (_, "/reset"), (_, "/metrics"):
            return (.methodNotAllowed, "application/json", Self.error("method \(head.method) not allowed on \(path)"))
        default:
            return (.notFound, "application/json", Self.error("unknown path \(path): use /faults, /faults/NAME, /reset or /metrics"))
        }
    }

    /// A body is a spec string, a JSON string, or a JSON object `{"name": …, "parameters": {…}}`.
    private func parseSpec() throws -> FaultSpec {
        let text = String(decoding: body, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
        guard !text.isEmpty else {
            throw FaultSpecError(spec: "", message: "empty body: send a spec such as idle-timeout:after=2s or {\"name\":…,\"parameters\":{…}}")
        }
        if text.hasPrefix("{") {
            struct Body: Decodable {
                var name: String
                var parameters: [String: String]?
            }
            guard let decoded = try? JSONDecoder().decode(Body.self, from: Data(text.utf8)) else {
                throw FaultSpecError(spec: text, message: "JSON body must be {\"name\": string, \"parameters\": {string: string}}")
            }
            return FaultSpec(name: decoded.name, parameters: decoded.parameters ?? [:])
        }
        if text.hasPrefix("\""), let decoded = try? JSONDecoder().decode(String.self, from: Data(text.utf8)) {
            return try FaultSpec(parsing: decoded)
        }
        return try FaultSpec(parsing: text)
    }

    private func listJSON() -> String {
        struct Item: Encodable {
            var name: String
            var parameters: [String: String]
            var spec: String
        }
        let items = proxy.faultSpecs.map { Item(name: $0.name, parameters: $0.parameters, spec: $0.description) }
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        return (try? encoder.encode(items)).map { String(decoding: $0, as: UTF8.self) } ?? "[]"
    }

    private static func error(_ message: String) -> String {
        let encoded = (try? JSONEncoder().encode(["error": message])).map { String(decoding: $0, as: UTF8.self) }
        return encoded ?? "{\"error\":\"error\"}"
    }

    private func respond(context: ChannelHandlerContext, status: HTTPResponseStatus, contentType: String, body: String, keepAlive: Bool) {
        var headers = HTTPHeaders()
        let bytes = Array(body.utf8)
        if !bytes.isEmpty { headers.add(name: "Content-Type", value: contentType) }
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
