import Foundation
import NIOCore
import NIOWebSocket
import WebSocketAuth
import WebSocketWire

/// One accepted WebSocket connection of the reference backend: the shell around
/// ``LabConnectionStateMachine``, which checks frames, reassembles and decodes messages, routes them and
/// runs the close handshake and the keepalive's bookkeeping. This handler performs what the machine
/// decides (writes, closes, timers), applies the active application faults and does the work a routed
/// message asks for (agent runs, streams, token refresh). Everything runs on the channel's event loop;
/// events are written only to this connection, so one user never sees another's events.
final class LabWebSocketHandler: ChannelInboundHandler {
    typealias InboundIn = NIOWebSocket.WebSocketFrame
    typealias OutboundOut = NIOWebSocket.WebSocketFrame

    private let state: LabState
    private var claims: LabClaims
    let connectionID: String
    /// The connection's decisions.
    private var machine: LabConnectionStateMachine
    private var context: ChannelHandlerContext?

    // Timers.
    private var heartbeatTimer: Scheduled<Void>?
    private var pongTimer: Scheduled<Void>?
    private var closeTimer: Scheduled<Void>?
    private var work: [String: Scheduled<Void>] = [:]

    init(state: LabState, claims: LabClaims) {
        self.state = state
        self.claims = claims
        self.connectionID = "conn_" + UUID().uuidString.lowercased().prefix(12)
        self.machine = LabConnectionStateMachine()
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
        send(
            LabEnvelope.message(
                "connection_established",
                [
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
            case .restart: close(code: CloseCode.serviceRestart.rawValue, reason: "Service restart")
            case .shutdown: close(code: CloseCode.goingAway.rawValue, reason: "Server shutting down")
            }
            return
        }
        context.fireUserInboundEventTriggered(event)
    }

    private func finish() {
        guard machine.ended() else { return }
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
        perform(machine.frameReceived(unwrapInboundIn(data), messageLimit: state.messageLimit))
    }

    /// Carries out what the machine decided.
    private func perform(_ action: LabConnectionStateMachine.Action) {
        switch action {
        case .none:
            return
        case .sendPong(let payload):
            write(NIOWebSocket.WebSocketFrame(fin: true, opcode: .pong, data: payload))
        case .keepaliveAnswered:
            pongTimer?.cancel()
            pongTimer = nil
        case .sendError(let code, let message):
            send(LabEnvelope.error(code: code, message: message))
        case .dispatch(let request):
            handle(request)
        case .sendClose(let code, let reason):
            sendClose(code: code, reason: reason)
        case .answerCloseThenCloseTransport(let code):
            guard let context else { return }
            cancelWork()
            var reply = context.channel.allocator.buffer(capacity: 2)
            if let code { reply.writeInteger(code) }
            context.writeAndFlush(wrapOutboundOut(NIOWebSocket.WebSocketFrame(fin: true, opcode: .connectionClose, data: reply)))
                .assumeIsolated().whenComplete { _ in
                    self.finish()
                    context.close(promise: nil)
                }
            // A client that stopped reading keeps that write pending: the connection still ends within 2 s.
            closeTimer = schedule(after: .seconds(2)) { handler in
                handler.finish()
                handler.context?.close(promise: nil)
            }
        case .closeTransport:
            finish()
            context?.close(promise: nil)
        }
    }

    // MARK: - Messages

    private func handle(_ request: LabConnectionStateMachine.Request) {
        for action in state.activeFaults.messageActions(request.faultContext) {
            perform(action)
            if !machine.isOpen { return }
        }
        let payload = request.payload
        switch request.route {
        case .ping:
            send(LabEnvelope.message("pong", ["connection_id": .string(connectionID)]))
        case .agentRun:
            startAgentRun(payload: payload)
        case .stream:
            startStream(payload: payload)
        case .refreshToken:
            refresh(payload: payload)
        case .acknowledge:
            send(LabEnvelope.message("ack", ["received_type": .string(request.type), "connection_id": .string(connectionID)]))
        }
    }

    private var tokenExpired: Bool { Int(Date().timeIntervalSince1970) >= claims.exp }

    /// Agent runs and streams in flight on one connection; beyond it a request gets an error, so a client
    /// cannot queue unbounded work (and unbounded outbound frames) on the server.
    static let maxConcurrentWork = 16

    /// `false` (after answering with an error) when this connection already has ``maxConcurrentWork`` in flight.
    private func hasRoomForWork() -> Bool {
        guard work.count >= Self.maxConcurrentWork else { return true }
        send(
            LabEnvelope.error(
                code: "too_many_runs",
                message:
                    "\(Self.maxConcurrentWork) agent runs or streams are already in flight on this connection: wait for one to complete"))
        return false
    }

    private func startAgentRun(payload: LabJSON) {
        if tokenExpired {
            send(
                LabEnvelope.error(code: "token_expired", message: "the connection's token has expired: send refresh_token with a new token")
            )
            return
        }
        guard hasRoomForWork() else { return }
        guard claims.has(TestUser.agentExecution) else {
            send(
                LabEnvelope.error(
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
        guard machine.isOpen, index < run.count else { return }
        for action in state.activeFaults.agentEventActions(index: index + 1) {
            perform(action)
            if !machine.isOpen { return }
        }
        let event = run.event(index)
        send(LabEnvelope.agentEvent(event.type, run: run, fields: event.fields))
        if index + 1 < run.count {
            work[run.runID] = schedule(after: state.configuration.agentStepDelay) { $0.sendAgentEvent(run, index: index + 1) }
        }
    }

    private func startStream(payload: LabJSON) {
        if tokenExpired {
            send(
                LabEnvelope.error(code: "token_expired", message: "the connection's token has expired: send refresh_token with a new token")
            )
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
        guard machine.isOpen else { return }
        if index == total {
            send(
                LabEnvelope.message(
                    "stream_complete",
                    [
                        "stream_id": .string(streamID), "total_chunks": .number(Double(total)), "user_id": .string(claims.sub),
                    ]))
            return
        }
        send(
            LabEnvelope.message(
                "partial_result",
                [
                    "stream_id": .string(streamID), "index": .number(Double(index)), "content": .string("chunk \(index + 1) of \(total)"),
                    "is_final": .bool(index == total - 1), "user_id": .string(claims.sub),
                ]))
        work[streamID] = schedule(after: state.configuration.agentStepDelay) {
            $0.sendChunk(streamID: streamID, index: index + 1, total: total)
        }
    }

    private func refresh(payload: LabJSON) {
        guard let token = payload["token"]?.stringValue ?? payload["access_token"]?.stringValue else {
            send(
                LabEnvelope.error(code: "missing_token", message: "refresh_token needs {\"payload\": {\"token\": \"<new access token>\"}}"))
            return
        }
        // Verified on the event loop, like the upgrade: nothing here waits for the cooperative pool.
        switch state.backendVerifier().verify(token, expecting: .access) {
        case .failure(let rejection):
            send(LabEnvelope.error(code: "token_refresh_failed", message: rejection.message, extra: ["reason": .string(rejection.code)]))
        case .success(let new) where new.sub != claims.sub:
            send(
                LabEnvelope.error(
                    code: "token_refresh_failed", message: "the new token belongs to another user",
                    extra: ["reason": "user-mismatch"]))
        case .success(let new):
            claims = new
            send(
                LabEnvelope.message(
                    "token_refreshed",
                    [
                        "user_id": .string(new.sub), "expires_at": .number(Double(new.exp)), "connection_id": .string(connectionID),
                    ]))
        }
    }

    // MARK: - Keepalive

    private func scheduleHeartbeat() {
        heartbeatTimer = schedule(after: state.heartbeat?.interval ?? .seconds(1)) { $0.heartbeatTick() }
    }

    private func heartbeatTick() {
        guard machine.isOpen else { return }
        if let heartbeat = state.heartbeat {
            let payload = (0..<4).map { _ in UInt8.random(in: 0...255) }
            if machine.keepaliveDue(payload: payload) {
                write(NIOWebSocket.WebSocketFrame(fin: true, opcode: .ping, data: ByteBuffer(bytes: payload)))
                pongTimer = schedule(after: heartbeat.timeout) { handler in
                    handler.perform(handler.machine.keepaliveExpired(payload))
                }
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

    /// Closes with `code` and `reason` (once: the machine decides).
    private func close(code: Int, reason: String) {
        perform(machine.closeRequested(code: code, reason: reason))
    }

    /// Sends a close frame and closes the socket when the peer answers (or after 2 s).
    private func sendClose(code: Int, reason: String) {
        guard let context else { return }
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
        guard machine.isOpen, let context else { return }
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
