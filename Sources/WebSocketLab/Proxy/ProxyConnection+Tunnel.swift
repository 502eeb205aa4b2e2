import NIOCore
import WebSocketWire

extension ProxyConnection {
    // MARK: - Forwarding

    /// Bytes that arrived from the source of `d`, after the handshake; frame-aware when `webSocket`.
    func forward(_ buffer: ByteBuffer, _ d: TunnelDirection, webSocket: Bool, countBytes: Bool = true) {
        if countBytes { proxy.metrics.bytes(buffer.readableBytes, d.direction) }
        if d.tracksActivity { d.lastActivity = .now() }
        guard webSocket else {
            if !d.blocked { emit(buffer, d) }
            return
        }
        refreshFrameFaults()
        let faults = d.direction == .upstream ? upFrameFaults : downFrameFaults
        if d.blocked {
            scanFrames(buffer, d)
        } else if faults.isEmpty && !d.heldControl {
            scanFrames(buffer, d)
            emit(buffer, d)
        } else {
            rewriteFrames(buffer, d, faults: faults)
        }
    }

    /// Pass-through: frames are only counted (and close codes read); the buffer goes on unchanged.
    private func scanFrames(_ buffer: ByteBuffer, _ d: TunnelDirection) {
        let metrics = proxy.metrics
        var sawClose = false
        buffer.withUnsafeReadableBytes { bytes in
            d.tracker.consume(bytes) { event in
                switch event {
                case .header(let header, _):
                    metrics.frame(opcode: header.opcode, d.direction)
                case .frameEnd(let header, let payload) where header.opcode == .close:
                    metrics.closeFrame(code: payload.flatMap(ClosePayload.peekCode)?.rawValue, d.direction)
                    sawClose = true
                default:
                    break
                }
            }
        }
        if sawClose { closeFrameForwarded(d) }
    }

    /// With frame faults: each frame is offered to the faults; output is rebuilt from slices of
    /// the input (payloads are not copied), re-encoded headers and whole control frames.
    private func rewriteFrames(_ buffer: ByteBuffer, _ d: TunnelDirection, faults: [ConfiguredFault]) {
        var events: [FrameBoundaryTracker.Event] = []
        buffer.withUnsafeReadableBytes { bytes in
            d.tracker.consume(bytes) { events.append($0) }
        }
        guard let destination = d.destination else { return }
        for event in events {
            switch event {
            case .header(let header, _):
                proxy.metrics.frame(opcode: header.opcode, d.direction)
                if header.isControl, header.payloadLength <= UInt64(FrameBoundaryTracker.maxControlPayload) {
                    d.heldControl = true
                    continue
                }
                var edit = FrameEdit(header: header, controlPayload: nil)
                var verdict = FrameVerdict.forward
                if header.opcode == .continuation, d.droppingMessage {
                    verdict = .drop
                } else if header.isData {
                    verdict = apply(faults, to: &edit, d)
                    if case .end(let action) = verdict {
                        // Nothing more of this frame or direction goes through: the connection ends now.
                        d.droppingFrame = true
                        d.droppingMessage = true
                        end(action, by: .proxy)
                        return
                    }
                    if !header.fin { d.droppingMessage = verdict == .drop }
                }
                d.droppingFrame = verdict == .drop
                if !d.droppingFrame {
                    var out = header
                    out.fin = edit.header.fin
                    out.rsv = edit.header.rsv
                    out.opcode = edit.header.opcode
                    emitBytes(out.encode(), d, allocator: destination.allocator)
                }
            case .payload(let range):
                guard !d.heldControl, !d.droppingFrame, range.count > 0 else { continue }
                if let slice = buffer.getSlice(at: buffer.readerIndex + range.lowerBound, length: range.count) { emit(slice, d) }
            case .frameEnd(let header, let payload):
                if d.heldControl, let payload {
                    d.heldControl = false
                    var edit = FrameEdit(header: header, controlPayload: payload)
                    let verdict = apply(faults, to: &edit, d)
                    if case .end(let action) = verdict {
                        end(action, by: .proxy)
                        return
                    }
                    if header.opcode == .close {
                        proxy.metrics.closeFrame(code: ClosePayload.peekCode(edit.controlPayload ?? [])?.rawValue, d.direction)
                    }
                    if verdict == .forward {
                        let body = Array((edit.controlPayload ?? []).prefix(FrameBoundaryTracker.maxControlPayload))
                        let out = FrameHeader(
                            fin: edit.header.fin, rsv: edit.header.rsv, opcode: edit.header.opcode, maskKey: header.maskKey,
                            payloadLength: 0)
                        emitBytes(out.frame(payload: body), d, allocator: destination.allocator)
                    }
                    if header.opcode == .close { closeFrameForwarded(d) }
                } else if header.isData {
                    d.droppingFrame = false
                    if header.fin { d.droppingMessage = false }
                }
            }
        }
    }

    private func apply(_ faults: [ConfiguredFault], to edit: inout FrameEdit, _ d: TunnelDirection) -> FrameVerdict {
        for configured in faults {
            guard let fault = configured.fault as? any FrameFault, configured.roll() else { continue }
            let verdict = fault.frame(&edit, direction: d.direction)
            if verdict != .forward { return verdict }
        }
        return .forward
    }

    func refreshFrameFaults() {
        let generation = proxy.faultGeneration
        guard generation != frameFaultGeneration else { return }
        frameFaultGeneration = generation
        let all = proxy.currentFaults.filter { $0.fault is any FrameFault }
        upFrameFaults = all.filter { $0.direction.includes(.upstream) }
        downFrameFaults = all.filter { $0.direction.includes(.downstream) }
    }

    private func emitBytes(_ bytes: [UInt8], _ d: TunnelDirection, allocator: ByteBufferAllocator) {
        var buffer = allocator.buffer(capacity: bytes.count)
        buffer.writeBytes(bytes)
        emit(buffer, d)
    }

    /// Sends bytes on through the fault stages (or straight to the destination when there are none).
    func emit(_ buffer: ByteBuffer, _ d: TunnelDirection) {
        guard let destination = d.destination else { return }
        if d.stages.isEmpty && d.queueIsEmpty {
            if destinationHandler(d)?.writeDirect(buffer) != true { destination.write(buffer, promise: nil) }
            return
        }
        var chunks: [StreamChunk] = [.bytes(buffer, at: .now())]
        for stage in d.stages {
            var next: [StreamChunk] = []
            for chunk in chunks {
                switch chunk {
                case .bytes(let bytes, let at): next += stage.process(bytes, ready: at)
                case .closeConnection: next.append(chunk)
                }
            }
            chunks = next
        }
        for chunk in chunks {
            switch chunk {
            case .bytes(let bytes, let at):
                let at = max(at, d.lastQueued)
                d.lastQueued = at
                d.queuedBytes += bytes.readableBytes
                d.enqueue(.bytes(bytes, at))
            case .closeConnection(let at):
                let at = max(at, d.lastQueued)
                d.lastQueued = at
                d.enqueue(.closeConnection(at))
            }
        }
        pump(d)
    }

    /// Writes what is due from `d`'s queue and arms a timer for the rest.
    func pump(_ d: TunnelDirection) {
        let now = NIODeadline.now()
        var wrote = false
        while let item = d.queue.first, item.at <= now {
            _ = d.dequeueFirst()
            switch item {
            case .bytes(let bytes, _):
                d.queuedBytes -= bytes.readableBytes
                if !d.blocked { d.destination?.write(bytes, promise: nil) }
                wrote = true
            case .closeConnection:
                d.destination?.flush()
                end(.closeTransport, by: .proxy)
                return
            case .end:
                closeDestinationAfterFlush(d)
                return
            }
        }
        if wrote { d.destination?.flush() }
        if let next = d.queue.first?.at, d.timerDeadline != next {
            d.timer?.cancel()
            d.timerDeadline = next
            let which = d.direction
            d.timer = eventLoop.scheduleTask(deadline: next) { [self] in
                let d = which == .upstream ? up : down
                d.timerDeadline = nil
                guard machine.isLive else { return }
                pump(d)
            }
        }
        // The queue shrank: the source may read again.
        (d.direction == .upstream ? clientHandler : serverHandler)?.resumeIfPossible()
    }

    /// The source of `d` ended (FIN or error): pass the end on once queued bytes are out.
    func finishSource(_ d: TunnelDirection) {
        guard !d.sourceEnded else { return }
        d.sourceEnded = true
        if d.stages.isEmpty && d.queueIsEmpty {
            closeDestinationAfterFlush(d)
            return
        }
        var at = NIODeadline.now()
        for stage in d.stages { at = stage.finish(ready: at) }
        at = max(at, d.lastQueued)
        d.lastQueued = at
        d.enqueue(.end(at))
        pump(d)
    }

    private func closeDestinationAfterFlush(_ d: TunnelDirection) {
        guard let destination = d.destination else { return }
        destination.writeAndFlush(destination.allocator.buffer(capacity: 0)).whenComplete { _ in
            destination.close(promise: nil)
        }
        // A peer that stopped reading never lets that flush complete: close it anyway after a bound.
        destination.eventLoop.scheduleTask(in: .seconds(5)) { destination.close(promise: nil) }
    }

    // MARK: - Injected close

    /// Sends a close frame the application never sent, stops forwarding, and ends the connection
    /// when the peer(s) answered or after one second.
    func injectClose(code: Int, reason: String, toClient: Bool, toServer: Bool) {
        // A close-injecting fault may name a code that must not be on the wire (1006, 1015): sent as given, on purpose.
        let payload = ClosePayload(code: CloseCode(code), reason: reason).unvalidatedEncoding()
        if toClient, let client {
            // To the client, as if from the server: unmasked.
            var buffer = client.allocator.buffer(capacity: payload.count + 4)
            buffer.writeBytes(FrameHeader(opcode: .close, payloadLength: 0).frame(payload: payload))
            down.clearQueue()
            down.queuedBytes = 0
            client.writeAndFlush(buffer, promise: nil)
            proxy.metrics.closeFrame(code: code, .downstream)
        }
        if toServer, let server {
            // To the server, as if from the client: masked (RFC 6455 §5.3).
            var buffer = server.allocator.buffer(capacity: payload.count + 8)
            buffer.writeBytes(FrameHeader(opcode: .close, maskKey: .random(), payloadLength: 0).frame(payload: payload))
            up.clearQueue()
            up.queuedBytes = 0
            server.writeAndFlush(buffer, promise: nil)
            proxy.metrics.closeFrame(code: code, .upstream)
        }
        up.blocked = true
        down.blocked = true
        schedule(after: .seconds(1)) { connection in connection.perform(connection.machine.injectedCloseExpired()) }
    }

    /// A close frame passed from the source of `d` (it may answer an injected close).
    private func closeFrameForwarded(_ d: TunnelDirection) {
        perform(machine.closeFrameForwarded(from: d.direction == .upstream ? .client : .server))
    }
}
