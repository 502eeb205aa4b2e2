import Foundation
import NIOCore
import NIOWebSocket
import WebSocketProbe

/// One accepted WebSocket connection of the reference backend: reassembles messages (bounded), answers
/// control frames, runs the server keepalive, dispatches JSON messages (ping, agent runs, streams, token
/// refresh) and applies the active application faults. Everything runs on the channel's event loop; events
/// are written only to this connection, so one user never sees another's events.
final class LabWebSocketHandler: ChannelInboundHandler {
    typealias InboundIn = NIOWebSocket.WebSocketFrame
    typealias OutboundOut = NIOWebSocket.WebSocketFrame

    private enum Phase { case open, closing, closed }

    private let state: LabState
    private var claims: LabClaims
    let connectionID: String
    private var phase = Phase.open
    private var context: ChannelHandlerContext?

    // Reassembly.
    private var partial: ByteBuffer?
    private var partialIsText = true
    // Counters for fault triggers.
    private var messageIndex = 0
    private var typeCounts: [String: Int] = [:]
    // Timers.
    private var heartbeatTimer: Scheduled<Void>?
    private var pongTimer: Scheduled<Void>?
    private var pendingPing: [UInt8]?
    private var closeTimer: Scheduled<Void>?
    private var work: [String: Scheduled<Void>] = [:]

    init(state: LabState, claims: LabClaims) {
        self.state = state
        self.claims = claims
        self.connectionID = "conn_" + UUID().uuidString.lowercased().prefix(12)
    }

    // MARK: - Lifecycle

    func handlerAdded(context: ChannelHandlerContext) {
        self.context = context
        state.connections.add(connectionID, context.channel)
        let now = ContinuousClock.now
        if let action = state.activeFaults.openAction(at: now) {
            perform(action)
            return
        }
        send(LabEnvelope.message("connection_established", [
            "connection_id": .string(connectionID), "user_id": .string(claims.sub), "email": .string(claims.email),
            "permissions": .array(claims.permissions.map { .string($0) }),
        ]))
        scheduleHeartbeat()
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        finish()
        self.context = nil
    }

    func channelInactive(context: ChannelHandlerContext) {
        finish()
        context.fireChannelInactive()
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        // Protocol errors are answered (close 1002/1009) by WebSocketProtocolErrorHandler in front of us.
        if error is NIOWebSocketError { return }
        finish()
        context.close(promise: nil)
    }

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        if let control = event as? LabControlEvent {
            switch control {
            case .restart: close(code: 1012, reason: "Service restart")
            case .shutdown: close(code: 1001, reason: "Server shutting down")
            }
            return
        }
        context.fireUserInboundEventTriggered(event)
    }

    private func finish() {
        guard phase != .closed else { return }
        phase = .closed
        cancelWork()
        closeTimer?.cancel()
        state.connections.remove(connectionID)
    }

    private func cancelWork() {
        heartbeatTimer?.cancel()
        pongTimer?.cancel()
        for task in work.values { task.cancel() }
        work.removeAll()
    }

    // MARK: - Frames

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let frame = unwrapInboundIn(data)
        // RFC 6455 §5.2: no extension is negotiated, so reserved bits must be clear; §5.1: clients must mask.
        if frame.rsv1 || frame.rsv2 || frame.rsv3 {
            close(code: 1002, reason: "Reserved bits set")
            return
        }
        if frame.maskKey == nil {
            close(code: 1002, reason: "Unmasked client frame")
            return
        }
        switch frame.opcode {
        case .connectionClose:
            receivedClose(frame)
        case .ping:
            guard phase == .open else { return }
            write(NIOWebSocket.WebSocketFrame(fin: true, opcode: .pong, data: frame.unmaskedData))
        case .pong:
            let bytes = Array(frame.unmaskedData.readableBytesView)
            if let pendingPing, pendingPing == bytes {
                self.pendingPing = nil
                pongTimer?.cancel()
                pongTimer = nil
            }
        case .text, .binary:
            guard phase == .open else { return }
            partial = frame.unmaskedData
            partialIsText = frame.opcode == .text
            continueMessage(fin: frame.fin)
        case .continuation:
            guard phase == .open, var buffer = partial else { return }
            var more = frame.unmaskedData
            if buffer.readableBytes + more.readableBytes > state.messageLimit {
                close(code: 1009, reason: "Message too big")
                return
            }
            buffer.writeBuffer(&more)
            partial = buffer
            continueMessage(fin: frame.fin)
        default:
            close(code: 1002, reason: "Unknown opcode")
        }
    }

    private func continueMessage(fin: Bool) {
        guard let buffer = partial else { return }
        if buffer.readableBytes > state.messageLimit {
            partial = nil
            close(code: 1009, reason: "Message too big")
            return
        }
        guard fin else { return }
        partial = nil
        guard partialIsText else {
            send(LabEnvelope.error(code: "unsupported_binary", message: "binary frames are not supported: send JSON text frames"))
            return
        }
        guard let text = String(validating: buffer.readableBytesView, as: UTF8.self) else {
            close(code: 1007, reason: "Invalid UTF-8 in text frame")
            return
        }
        handle(text: text)
    }

    private func receivedClose(_ frame: NIOWebSocket.WebSocketFrame) {
        guard let context else { return }
        if phase == .closing {
            finish()
            context.close(promise: nil)
            return
        }
        phase = .closing
        cancelWork()
        var data = frame.unmaskedData
        var reply = context.channel.allocator.buffer(capacity: 2)
        if let code = data.readInteger(as: UInt16.self) { reply.writeInteger(code) }
        context.writeAndFlush(wrapOutboundOut(NIOWebSocket.WebSocketFrame(fin: true, opcode: .connectionClose, data: reply)))
            .assumeIsolated().whenComplete { _ in
                self.finish()
                context.close(promise: nil)
            }
    }

    // MARK: - Messages

    private func handle(text: String) {
        guard let json = LabJSON.parse(text), case .object = json else {
            send(LabEnvelope.error(code: "invalid_json", message: "the message is not a JSON object: send {\"type\": …, \"payload\": {…}}"))
            return
        }
        guard let type = json["type"]?.stringValue, !type.isEmpty else {
            send(LabEnvelope.error(code: "missing_type", message: "the message has no \"type\" field"))
            return
        }
        messageIndex += 1
        // Keyed by what the client sends: at most 64 distinct types are counted apart (faults trigger on a
        // few known types), the rest share one counter so a client cannot grow this without bound.
        if typeCounts[type] != nil || typeCounts.count < 64 {
            typeCounts[type, default: 0] += 1
        } else {
            typeCounts["*", default: 0] += 1
        }
        let faultContext = AppFaultMessageContext(type: type, index: messageIndex, typeIndex: typeCounts[type] ?? 1)
        for action in state.activeFaults.messageActions(faultContext) {
            perform(action)
            if phase != .open { return }
        }
        let payload = json["payload"] ?? [:]
        switch type {
        case "ping":
            send(LabEnvelope.message("pong", ["connection_id": .string(connectionID)]))
        case "user_message", "start_agent", "execute_agent":
            startAgentRun(payload: payload)
        case "stream_request":
            startStream(payload: payload)
        case "refresh_token":
            refresh(payload: payload)
        default:
            send(LabEnvelope.message("ack", ["received_type": .string(type), "connection_id": .string(connectionID)]))
        }
    }

    private var tokenExpired: Bool { Int(Date().timeIntervalSince1970) >= claims.exp }

    /// Agent runs and streams in flight on one connection; beyond it a request gets an error, so a client
    /// cannot queue unbounded work (and unbounded outbound frames) on the server.
    static let maxConcurrentWork = 16

    /// `false` (after answering with an error) when this connection already has ``maxConcurrentWork`` in flight.
    private func hasRoomForWork() -> Bool {
        guard work.count >= Self.maxConcurrentWork else { return true }
        send(LabEnvelope.error(
            code: "too_many_runs",
            message: "\(Self.maxConcurrentWork) agent runs or streams are already in flight on this connection: wait for one to complete"))
        return false
    }

    private func startAgentRun(payload: LabJSON) {
        if tokenExpired {
            send(LabEnvelope.error(code: "token_expired", message: "the connection's token has expired: send refresh_token with a new token"))
            return
        }
        guard hasRoomForWork() else { return }
        guard claims.has(TestUser.agentExecution) else {
            send(LabEnvelope.error(
                code: "permission_denied",
                message: "user \(claims.sub) lacks the agent_execution permission: agents cannot run on this plan"))
            return
        }
        let prompt = payload["content"]?.stringValue ?? payload["message"]?.stringValue ?? payload["text"]?.stringValue ?? ""
        let run = AgentRun(
            runID: "run_" + UUID().uuidString.lowercased().prefix(12), userID: claims.sub,
            agentName: payload["agent_name"]?.stringValue ?? "triage_agent", prompt: String(prompt.prefix(500)),
            thinkingSteps: max(2, state.configuration.thinkingSteps))
        sendAgentEvent(run, index: 0)
    }

    private func sendAgentEvent(_ run: AgentRun, index: Int) {
        work[run.runID] = nil
        guard phase == .open, index < run.count else { return }
        for action in state.activeFaults.agentEventActions(index: index + 1) {
            perform(action)
            if phase != .open { return }
        }
        let event = run.event(index)
        send(LabEnvelope.agentEvent(event.type, run: run, fields: event.fields))
        if index + 1 < run.count {
            work[run.runID] = schedule(after: state.configuration.agentStepDelay) { $0.sendAgentEvent(run, index: index + 1) }
        }
    }

    private func startStream(payload: LabJSON) {
        if tokenExpired {
            send(LabEnvelope.error(code: "token_expired", message: "the connection's token has expired: send refresh_token with a new token"))
            return
        }
        guard hasRoomForWork() else { return }
        // Clamp while still a Double: Int(1e300) or Int(.nan) would trap on what a client sent.
        let requested = payload["chunks"]?.numberValue.flatMap { $0.isFinite ? Int(min(max($0, 1), 1000)) : nil }
        let chunks = requested ?? min(max(state.configuration.streamChunks, 1), 1000)
        let streamID = "stream_" + UUID().uuidString.lowercased().prefix(12)
        sendChunk(streamID: streamID, index: 0, total: chunks)
    }

    private func sendChunk(streamID: String, index: Int, total: Int) {
        work[streamID] = nil
        guard phase == .open else { return }
        if index == total {
            send(LabEnvelope.message("stream_complete", [
                "stream_id": .string(streamID), "total_chunks": .number(Double(total)), "user_id": .string(claims.sub),
            ]))
            return
        }
        send(LabEnvelope.message("partial_result", [
            "stream_id": .string(streamID), "index": .number(Double(index)), "content": .string("chunk \(index + 1) of \(total)"),
            "is_final": .bool(index == total - 1), "user_id": .string(claims.sub),
        ]))
        work[streamID] = schedule(after: state.configuration.agentStepDelay) {
            $0.sendChunk(streamID: streamID, index: index + 1, total: total)
        }
    }

    private func refresh(payload: LabJSON) {
        guard let token = payload["token"]?.stringValue ?? payload["access_token"]?.stringValue else {
            send(LabEnvelope.error(code: "missing_token", message: "refresh_token needs {\"payload\": {\"token\": \"<new access token>\"}}"))
            return
        }
        // Verified on the event loop, like the upgrade: nothing here waits for the cooperative pool.
        switch state.backendVerifier().verify(token, expecting: .access) {
        case .failure(let rejection):
            send(LabEnvelope.error(code: "token_refresh_failed", message: rejection.message, extra: ["reason": .string(rejection.code)]))
        case .success(let new) where new.sub != claims.sub:
            send(LabEnvelope.error(code: "token_refresh_failed", message: "the new token belongs to another user",
                                   extra: ["reason": "user-mismatch"]))
        case .success(let new):
            claims = new
            send(LabEnvelope.message("token_refreshed", [
                "user_id": .string(new.sub), "expires_at": .number(Double(new.exp)), "connection_id": .string(connectionID),
            ]))
        }
    }

    // MARK: - Keepalive

    private func scheduleHeartbeat() {
        heartbeatTimer = schedule(after: state.heartbeat?.interval ?? .seconds(1)) { $0.heartbeatTick() }
    }

    private func heartbeatTick() {
        guard phase == .open else { return }
        if let heartbeat = state.heartbeat, pendingPing == nil {
            let payload = (0..<4).map { _ in UInt8.random(in: 0...255) }
            pendingPing = payload
            write(NIOWebSocket.WebSocketFrame(fin: true, opcode: .ping, data: ByteBuffer(bytes: payload)))
            pongTimer = schedule(after: heartbeat.timeout) { handler in
                guard handler.pendingPing == payload else { return }
                handler.close(code: 1011, reason: "keepalive ping timeout")
            }
        }
        scheduleHeartbeat()
    }

    // MARK: - Output

    private func perform(_ action: AppFaultAction) {
        switch action {
        case .close(let code, let reason):
            close(code: code, reason: reason)
        case .drop:
            finish()
            context?.close(promise: nil)
        case .block(let duration):
            // Deliberately blocks this event loop: every connection on it stalls (the fault being reproduced).
            Thread.sleep(forTimeInterval: duration.milliseconds / 1000)
        }
    }

    /// Sends a close frame and closes the socket when the peer answers (or after 2 s).
    private func close(code: Int, reason: String) {
        guard phase == .open, let context else { return }
        phase = .closing
        cancelWork()
        var data = context.channel.allocator.buffer(capacity: 2 + reason.utf8.count)
        data.writeInteger(UInt16(truncatingIfNeeded: code))
        data.writeString(String(reason.utf8.prefix(123)) ?? "")
        write(NIOWebSocket.WebSocketFrame(fin: true, opcode: .connectionClose, data: data))
        closeTimer = schedule(after: .seconds(2)) { handler in
            handler.finish()
            handler.context?.close(promise: nil)
        }
    }

    private func send(_ json: LabJSON) {
        guard phase == .open, let context else { return }
        write(NIOWebSocket.WebSocketFrame(fin: true, opcode: .text, data: context.channel.allocator.buffer(string: json.text)))
    }

    private func write(_ frame: NIOWebSocket.WebSocketFrame) {
        context?.writeAndFlush(wrapOutboundOut(frame), promise: nil)
    }

    private func schedule(after delay: Duration, _ body: @escaping (LabWebSocketHandler) -> Void) -> Scheduled<Void>? {
        guard let context else { return nil }
        return context.eventLoop.assumeIsolated().scheduleTask(in: TimeAmount(delay)) { body(self) }
    }
}
