import Foundation
import NIOCore
import WebSocketWire

/// A lightweight lab client on a raw channel: sends the upgrade (token in the `jwt-auth`
/// subprotocol), reads the 101 and the `connection_established` welcome, answers server pings, and
/// — for an agent user — sends `start_agent` and checks `run_id`/`user_id` on every event until
/// `agent_completed`. Confined to its channel's event loop.
final class LabUserHandler: ChannelInboundHandler {
    typealias InboundIn = ByteBuffer
    typealias OutboundOut = ByteBuffer

    /// What an agent user saw.
    struct AgentResult: Sendable {
        var events = 0
        var misdelivered = 0
        var completed = false
        var finishedAtNanos: UInt64 = 0
        var error: String?
    }

    static let agentEventTypes: Set<String> = ["agent_started", "agent_thinking", "tool_executing", "tool_completed", "agent_completed"]

    private let request: ByteBuffer
    private let expectedUser: String
    private let runsAgent: Bool
    private let welcomed: EventLoopPromise<Void>
    private let finished: EventLoopPromise<AgentResult>?
    private var buffer: ByteBuffer?
    private var isUpgraded = false
    private var isWelcomed = false
    private var runID: String?
    private var result = AgentResult()
    private var done = false

    init(
        request: ByteBuffer, expectedUser: String, runsAgent: Bool, welcomed: EventLoopPromise<Void>,
        finished: EventLoopPromise<AgentResult>?
    ) {
        self.request = request
        self.expectedUser = expectedUser
        self.runsAgent = runsAgent
        self.welcomed = welcomed
        self.finished = finished
    }

    func channelActive(context: ChannelHandlerContext) {
        context.writeAndFlush(wrapOutboundOut(request), promise: nil)
        context.fireChannelActive()
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        var incoming = unwrapInboundIn(data)
        if buffer == nil { buffer = incoming } else { buffer!.writeBuffer(&incoming) }
        if !isUpgraded {
            guard let end = WireCodec.headEnd(buffer!) else {
                if buffer!.readableBytes > 64 << 10 { fail(context, "response head larger than 64 KiB") }
                return
            }
            let head = buffer!.readString(length: end) ?? ""
            guard head.hasPrefix("HTTP/1.1 101") else {
                fail(context, "upgrade refused: " + (head.split(separator: "\r\n").first.map(String.init) ?? head))
                return
            }
            isUpgraded = true
        }
        while buffer != nil, let frame = WireCodec.readFrame(&buffer!) {
            switch frame.head.opcode {
            case .text:
                handle(text: frame.payload, context: context)
            case .ping:
                context.writeAndFlush(
                    wrapOutboundOut(WireCodec.clientFrame(opcode: .pong, payload: frame.payload, allocator: context.channel.allocator)),
                    promise: nil)
            case .close:
                let code = (ClosePayload.peekCode(frame.payload) ?? .noStatusReceived).rawValue
                fail(context, "the lab closed the connection with \(code) \(String(decoding: frame.payload.dropFirst(2), as: UTF8.self))")
            default:
                break
            }
        }
        if buffer?.readableBytes == 0 { buffer = nil }
    }

    private func handle(text bytes: [UInt8], context: ChannelHandlerContext) {
        guard let object = (try? JSONSerialization.jsonObject(with: Data(bytes))) as? [String: Any],
            let type = object["type"] as? String
        else { return }
        let payload = object["payload"] as? [String: Any] ?? [:]
        if type == "connection_established" {
            guard !isWelcomed else { return }
            isWelcomed = true
            if (payload["user_id"] as? String) != expectedUser {
                result.misdelivered += 1
            }
            welcomed.succeed(())
            if runsAgent {
                let message = #"{"type":"start_agent","payload":{"agent_name":"bench_agent","message":"bench run for \#(expectedUser)"}}"#
                context.writeAndFlush(
                    wrapOutboundOut(
                        WireCodec.clientFrame(opcode: .text, payload: Array(message.utf8), allocator: context.channel.allocator)),
                    promise: nil)
            }
            return
        }
        guard runsAgent, Self.agentEventTypes.contains(type) else { return }
        result.events += 1
        let run = (object["run_id"] as? String) ?? (payload["run_id"] as? String)
        let users = [object["user_id"] as? String, payload["user_id"] as? String]
        if type == "agent_started", runID == nil { runID = run }
        if users.contains(where: { $0 != expectedUser }) || run == nil || run != runID {
            result.misdelivered += 1
        }
        if type == "agent_completed" {
            result.completed = true
            finish(nil)
        }
    }

    private func fail(_ context: ChannelHandlerContext, _ message: String) {
        welcomed.fail(LoadError(message))
        finish(message)
        context.close(promise: nil)
    }

    private func finish(_ error: String?) {
        guard !done else { return }
        done = true
        result.error = error
        result.finishedAtNanos = NIODeadline.now().uptimeNanoseconds
        finished?.succeed(result)
    }

    func channelInactive(context: ChannelHandlerContext) {
        welcomed.fail(LoadError("the connection closed before the welcome"))
        finish("the connection closed")
        context.fireChannelInactive()
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        fail(context, "\(error)")
    }
}
