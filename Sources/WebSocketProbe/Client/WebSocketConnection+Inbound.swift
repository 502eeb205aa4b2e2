import Foundation
import NIOCore
import WebSocketDiagnosis
import WebSocketWire

extension WebSocketConnection {
    // MARK: - Events from the channel

    /// Takes one event from the channel handler (called on the loop, which is this actor's executor).
    ///
    /// An event that arrives while we are ourselves calling into the channel (a write that fails, a
    /// close) is queued and handled right after, in order, so that no handler runs in the middle of another.
    func deliver(_ event: WireEvent) {
        if handlingEvent || channelCallDepth > 0 || !deferredEvents.isEmpty {
            deferredEvents.append(event)
            if !drainScheduled {
                drainScheduled = true
                eventLoop.execute { [weak self] in
                    guard let self else { return }
                    self.assumeIsolated { $0.drainDeferredEvents() }
                }
            }
            return
        }
        handlingEvent = true
        handle(event)
        handlingEvent = false
    }

    private func drainDeferredEvents() {
        drainScheduled = false
        while !deferredEvents.isEmpty {
            let event = deferredEvents.removeFirst()
            handlingEvent = true
            handle(event)
            handlingEvent = false
        }
    }

    /// Runs a call into the channel (write, close): events it triggers synchronously are deferred.
    func intoChannel<T>(_ body: () -> T) -> T {
        channelCallDepth += 1
        defer { channelCallDepth -= 1 }
        return body()
    }

    /// Applies one event from the channel, in order, then wakes whoever waits for a change.
    func handle(_ event: WireEvent) {
        switch event {
        case .bytes(let buffer, let at):
            let t = ms(at)
            switch phase {
            case .upgrading: handleResponseBytes(Array(buffer.readableBytesView), at: t)
            case .rejectedBody: appendRejectedBody(Array(buffer.readableBytesView))
            case .open, .closing: handleFrameBytes(buffer, at: t)
            case .connecting, .tls, .failing, .ended: break
            }
        case .tlsHandshakeCompleted(let version, let at):
            let t = ms(at)
            tlsDoneAtMs = t
            // On a loaded machine the handshake can finish before the connect result reaches us: never negative.
            record.timings.tlsMs = max(0, t - (tcpDoneAtMs ?? t))
            recordTLSOutcome(failure: nil, detail: nil)
            record.tls?.protocolVersion = version
            machine.tlsHandshakeCompleted()
        case .error(let kind, let at):
            perform(machine.errorCaught(kind), at: ms(at))
        case .inactive(let at):
            perform(machine.transportEnded(), at: ms(at))
        }
        checkWaiters()
    }

    // MARK: - TLS failure

    private func tlsFailed(_ kind: TransportErrorKind, at t: Double) {
        let state = tlsState.value
        var reason = TLSFailureReason.handshakeFailure
        var detail = kind.text
        if state.callbackRan, let failure = state.failure {
            reason = failure
            detail = state.detail ?? detail
        } else if let clientCertificate = clientCertificateFailure(kind) {
            reason = clientCertificate
            detail = Self.alertDescription(kind)
        } else if looksLikePlaintext() {
            reason = .plaintextPort
            detail =
                "the server answered the TLS ClientHello with non-TLS bytes (\(firstBytesText())): a plaintext port (use ws://, or the TLS port)"
        }
        recordTLSOutcome(failure: reason, detail: detail)
        setFailure(.tls, .tlsFailure, "\(reason.rawValue): \(detail)", at: t)
    }

    /// A failure that is about our client certificate, told by the server's alert (BoringSSL names a received
    /// alert `TLSV1_ALERT_…`/`SSLV3_ALERT_…`) and by whether it asked for one and we offered one.
    func clientCertificateFailure(_ kind: TransportErrorKind) -> TLSFailureReason? {
        guard case .tls(let text) = kind else {
            // A TLS 1.2 server that asked for a certificate and hung up when none came.
            let requested = tally.value.handshake.certificateRequested
            return requested && offeredClientCertificate == nil ? .clientCertificateRequired : nil
        }
        let lower = text.lowercased().replacingOccurrences(of: " ", with: "_")
        if lower.contains("certificate_required") { return .clientCertificateRequired }
        let requested = tally.value.handshake.certificateRequested
        if offeredClientCertificate != nil {
            let refusals = [
                "unknown_ca", "bad_certificate", "certificate_unknown", "certificate_expired", "certificate_revoked",
                "unsupported_certificate", "access_denied",
            ]
            if refusals.contains(where: lower.contains) { return .clientCertificateRejected }
        } else if requested, lower.contains("handshake_failure") || lower.contains("alert") {
            return .clientCertificateRequired
        }
        return nil
    }

    /// The server's alert by its name (`the server sent the TLS alert certificate_required`) rather than
    /// BoringSSL's whole error text; the text itself when it names no alert.
    static func alertDescription(_ kind: TransportErrorKind) -> String {
        let text = kind.text
        guard let token = alertToken(in: text) else {
            if case .tls = kind { return text }
            return "the server ended the handshake (\(text)) after asking for a client certificate"
        }
        let name = token.split(separator: "_").drop { $0 != "ALERT" }.dropFirst().joined(separator: "_").lowercased()
        return "the server sent the TLS alert \(name) (\(token))"
    }

    /// BoringSSL's name of a received alert in `text` (`TLSV1_ALERT_UNKNOWN_CA`, `SSLV3_ALERT_HANDSHAKE_FAILURE`).
    static func alertToken(in text: String) -> String? {
        let scalars = Array(text.unicodeScalars)
        let marker = Array("_ALERT_".unicodeScalars)
        func isNameScalar(_ s: Unicode.Scalar) -> Bool { ("A"..."Z").contains(s) || ("0"..."9").contains(s) || s == "_" }
        var index = 0
        while index + marker.count <= scalars.count {
            if Array(scalars[index..<(index + marker.count)]) == marker {
                var start = index
                while start > 0, isNameScalar(scalars[start - 1]) { start -= 1 }
                var end = index + marker.count
                while end < scalars.count, isNameScalar(scalars[end]) { end += 1 }
                let token = String(String.UnicodeScalarView(scalars[start..<end]))
                if token.hasPrefix("TLSV1") || token.hasPrefix("SSLV3") { return token }
                index = end
            } else {
                index += 1
            }
        }
        return nil
    }

    /// A TLS alert received after our side of the handshake that is about our client certificate.
    private var alertAboutClientCertificate: TLSFailureReason? {
        guard let transportError, case .tls = transportError else { return nil }
        return clientCertificateFailure(transportError)
    }

    private func looksLikePlaintext() -> Bool {
        let first = tally.value.firstBytes
        guard let byte = first.first else {
            if case .tls(let text) = transportError {
                let lower = text.lowercased()
                return lower.contains("wrong_version_number") || lower.contains("wrong version number") || lower.contains("http_request")
            }
            return false
        }
        // A TLS record starts with a content type: 0x14–0x17 (change cipher spec, alert, handshake, data).
        return !(0x14...0x17).contains(byte)
    }

    private func firstBytesText() -> String {
        let first = tally.value.firstBytes
        if first.allSatisfy({ (0x20..<0x7F).contains($0) || $0 == 0x0D || $0 == 0x0A }) {
            return "'" + String(decoding: first.prefix(16), as: UTF8.self).replacingOccurrences(of: "\r\n", with: " ") + "'"
        }
        return UpgradeResponseParser.hex(first.prefix(8))
    }

    // MARK: - Upgrade response

    private func handleResponseBytes(_ bytes: [UInt8], at t: Double) {
        if record.timings.firstResponseByteAtMs == nil { record.timings.firstResponseByteAtMs = t }
        switch responseParser.append(bytes) {
        case .needMore:
            return
        case .malformed(let reason):
            addFinding(.malformedResponse, reason, at: t)
            setFailure(.upgrade, .invalidUpgradeResponse, "the upgrade response is not HTTP/1.x: \(reason)", at: t)
            perform(machine.upgradeAnswered(.invalid), at: t)
        case .oversized(let size):
            addFinding(.oversizedHead, "response head larger than \(configuration.maxHandshakeHeadBytes) bytes (\(size) received)", at: t)
            setFailure(
                .upgrade, .invalidUpgradeResponse, "the upgrade response head exceeds \(configuration.maxHandshakeHeadBytes) bytes", at: t)
            perform(machine.upgradeAnswered(.invalid), at: t)
        case .head(let head, let remainder):
            record.timings.responseHeadAtMs = t
            record.timings.upgradeMs = t - (tlsDoneAtMs ?? tcpDoneAtMs ?? 0)
            let outcome = HandshakeValidator.check(head, request: request)
            let redactor = configuration.redactor
            record.handshake = HandshakeObservation(
                status: head.status, reasonPhrase: head.reasonPhrase, httpVersion: head.httpVersion,
                headers: redactor.headers(head.headers), acceptValid: outcome.acceptValid,
                subprotocol: outcome.subprotocol.map(redactor.subprotocol), extensions: outcome.extensions)
            for finding in outcome.findings { addFinding(finding.code, finding.detail, at: t) }
            let toleratedNoSelection =
                !configuration.requireSubprotocolSelection && head.status == 101 && !outcome.findings.isEmpty
                && outcome.findings.allSatisfy { $0.code == .subprotocolNotEchoed }
            if outcome.accepted || toleratedNoSelection {
                perform(machine.upgradeAnswered(.accepted), at: t)
                record.timings.openAtMs = t
                selectedSubprotocol = outcome.subprotocol
                deflateNegotiated = outcome.deflateNegotiated
                if deflateNegotiated { frameParser.allowedRSV = 0x4 }
                if !remainder.isEmpty { handleFrameBytes(ByteBuffer(bytes: remainder), at: t) }
            } else if head.status != 101 {
                setFailure(.upgrade, outcome.failureKind ?? .upgradeRejected, outcome.failureDetail ?? "upgrade rejected", at: t)
                perform(machine.upgradeAnswered(.rejected), at: t)
                rejectedBodyExpected = head.headers.first(named: "Content-Length").flatMap { Int($0.trimmingCharacters(in: .whitespaces)) }
                rejectedBodyChunked = head.headers.first(named: "Transfer-Encoding")?.lowercased().contains("chunked") ?? false
                if rejectedBodyExpected == 0 || head.status == 204 || head.status == 304 { rejectedBodyDone = true }
                appendRejectedBody(remainder)
            } else {
                setFailure(.upgrade, outcome.failureKind ?? .invalidUpgradeResponse, outcome.failureDetail ?? "invalid 101 response", at: t)
                perform(machine.upgradeAnswered(.invalid), at: t)
            }
        }
    }

    private func appendRejectedBody(_ bytes: [UInt8]) {
        guard !rejectedBodyDone else { return }
        rejectedBodyTotal += bytes.count
        let room = 4096 - rejectedBody.count
        if room > 0 { rejectedBody.append(contentsOf: bytes.prefix(room)) }
        if let expected = rejectedBodyExpected, rejectedBodyTotal >= expected { rejectedBodyDone = true }
        if rejectedBodyChunked, rejectedBody.count >= 5, rejectedBody.suffix(5) == Array("0\r\n\r\n".utf8) { rejectedBodyDone = true }
        if rejectedBodyTotal >= 4096 { rejectedBodyDone = true }
    }

    // MARK: - Frames in

    private func handleFrameBytes(_ bytes: ByteBuffer, at t: Double) {
        frameParser.append(buffer: bytes)
        defer { answerDuePing() }
        while machine.readsFrames, let event = frameParser.next() {
            switch event {
            case .frame(let frame):
                handleFrame(frame, at: t)
            case .violation(let violation):
                if let header = violation.header {
                    recordFrame(
                        FrameRecord(
                            direction: .inbound, opcode: header.opcode.name, fin: header.fin, rsv: Int(header.rsv),
                            length: header.payloadLength > UInt64(Int.max) ? Int.max : Int(header.payloadLength), atMs: t),
                        opcode: header.opcode)
                    lastInboundAtMs = t
                }
                failConnection(violation, at: t)
            }
        }
    }

    private func handleFrame(_ frame: WebSocketFrame, at t: Double) {
        recordFrame(
            FrameRecord(
                direction: .inbound, opcode: frame.opcode.name, fin: frame.fin, rsv: Int(frame.rsv),
                length: frame.payload.count, atMs: t, preview: preview(opcode: frame.opcode, payload: frame.payload)), opcode: frame.opcode)
        if record.timings.firstFrameAtMs == nil { record.timings.firstFrameAtMs = t }
        lastInboundAtMs = t
        switch machine.frameArrived(frame.opcode, answerPings: answerPings) {
        case .dataAfterClose:
            // RFC 6455 §5.5.1 forbids data frames after a close, not control frames.
            addFinding(.dataAfterClose, "a \(frame.opcode.name) frame arrived after the peer's close frame", at: t)
            return
        case .lateControl:
            // A pong that answers a ping sent before the peer's close (Python websockets sends one) is
            // recorded, not a violation.
            if frame.opcode == .pong, let index = pendingPings.removeValue(forKey: frame.payload) {
                record.pings[index].pongAtMs = t
            }
            return
        case .answerPing:
            countPing(at: t)
            // Answered after the read's other frames, once for the latest ping (RFC 6455 §5.5.3).
            pongDue = Array(frame.payload)
            return
        case .countPing:
            countPing(at: t)
            return
        case .handle:
            break
        }
        switch frame.opcode {
        case .pong:
            if let index = pendingPings.removeValue(forKey: frame.payload) {
                record.pings[index].pongAtMs = t
            } else {
                addFinding(.unsolicitedPong, "a pong that answers no ping of ours (\(frame.payload.count) bytes)", at: t)
            }
        case .close:
            let body = CloseFrameBody.parse(frame.payload)
            record.close.received = CloseFrameInfo(code: body.code, reason: configuration.redactor.text(body.reason), atMs: t)
            if let violation = body.violation {
                addFinding(violation.code, violation.detail, at: t)
                setFailure(.websocket, .protocolError, violation.detail, at: t)
            }
            // §5.5.1: answer with a close frame, echoing the status code (the violation's for a bad body).
            perform(machine.closeFrameReceived(echo: body.violation?.closeCode ?? body.code), at: t)
        default:
            let compressed = deflateNegotiated && frame.rsv & 0x4 != 0
            if frame.opcode != .continuation { compressedMessage = compressed }
            let limit = configuration.maxMessageBytes
            let inflate: ((ArraySlice<UInt8>) -> [UInt8]?)? = { PerMessageInflater.inflate($0, maxBytes: limit) }
            switch assembler.push(frame, compressed: compressedMessage, inflate: inflate) {
            case .fragmentBuffered:
                break
            case .message(let message):
                enqueue(message, at: t)
            case .violation(let violation):
                failConnection(violation, at: t)
            }
        }
    }

    /// Sends the one pong a read owes: for its latest ping, unless the transport cannot take more
    /// (a peer that floods pings and reads nothing must not fill our memory with pongs).
    private func answerDuePing() {
        guard let payload = pongDue else { return }
        pongDue = nil
        guard machine.mayAnswerPing(answerPings: answerPings), let channel, channel.isWritable else { return }
        _ = sendFrame(opcode: .pong, payload: payload)
    }

    /// Counts inbound pings per second; past ``ClientConfiguration/maxPingsPerSecond`` the flood is a finding (once).
    private func countPing(at t: Double) {
        if t - pingWindowStartMs >= 1000 {
            pingWindowStartMs = t
            pingsInWindow = 0
        }
        pingsInWindow += 1
        if pingsInWindow > configuration.maxPingsPerSecond && !pingFloodReported {
            pingFloodReported = true
            addFinding(
                .pingFlood,
                "more than \(configuration.maxPingsPerSecond) pings within one second from the peer: answered only the latest ping of each read (RFC 6455 §5.5.3)",
                at: t)
        }
    }

    /// Fails the connection (§7.1.7): finding, close frame with the matching code, transport closed.
    private func failConnection(_ violation: FrameViolation, at t: Double) {
        addFinding(violation.code, violation.detail, at: t)
        setFailure(.websocket, .protocolError, violation.detail, at: t)
        perform(machine.violation(closeCode: violation.closeCode), at: t)
    }

    // MARK: - Actions

    /// Performs what the state machine decided; `t` is when the event that led to it happened.
    func perform(_ action: WebSocketConnectionStateMachine.Action, at t: Double? = nil) {
        switch action {
        case .none:
            return
        case .closeTransport:
            if let channel { intoChannel { channel.close(promise: nil) } }
        case .sendClose(let code, let reason):
            writeClose(code: code, reason: reason)
        case .sendCloseThenCloseTransport(let code, let reason):
            if let future = writeClose(code: code, reason: reason), let channel {
                intoChannel { future.whenComplete { _ in channel.close(promise: nil) } }
            } else {
                perform(machine.closeTransport(.localClose))
            }
        case .answerCloseThenArmDrop(let code):
            writeClose(code: code, reason: "")
            scheduleDrop(after: configuration.timeouts.close, end: .localClose)
        case .armDrop:
            scheduleDrop(after: configuration.timeouts.close, end: .localClose)
        case .recordTLSFailure(let kind):
            tlsFailed(kind, at: t ?? nowMs())
        case .recordEnd(let ending, let end):
            transportEnded(ending, end: end, at: t ?? nowMs())
        }
    }

    // MARK: - Frames out

    /// Writes one masked frame and records it; `nil` when there is no transport. The payload is
    /// masked straight into the outbound buffer (one copy); a future is made only when asked for.
    @discardableResult
    func sendFrame(opcode: FrameOpcode, payload: UnsafeRawBufferPointer, fin: Bool = true, wantFuture: Bool = false) -> EventLoopFuture<
        Void
    >? {
        guard let channel, phase != .ended else { return nil }
        var buffer = channel.allocator.buffer(capacity: payload.count + 14)
        WebSocketFrame.encode(fin: fin, opcode: opcode, payload: payload, maskKey: .random(), into: &buffer)
        let t = nowMs()
        recordFrame(
            FrameRecord(
                direction: .outbound, opcode: opcode.name, fin: fin, rsv: 0, length: payload.count, atMs: t,
                preview: preview(opcode: opcode, payload: payload)), opcode: opcode)
        lastOutboundAtMs = t
        return intoChannel {
            if wantFuture {
                return channel.writeAndFlush(buffer)
            }
            channel.writeAndFlush(buffer, promise: nil)
            return nil
        }
    }

    /// Writes one masked frame and records it; `nil` when there is no transport.
    @discardableResult
    func sendFrame(opcode: FrameOpcode, payload: [UInt8], fin: Bool = true, wantFuture: Bool = false) -> EventLoopFuture<Void>? {
        payload.withUnsafeBytes { sendFrame(opcode: opcode, payload: $0, fin: fin, wantFuture: wantFuture) }
    }

    /// Writes the close frame the machine decided on (`code` nil: empty body) and records it.
    @discardableResult
    private func writeClose(code: Int?, reason: String) -> EventLoopFuture<Void>? {
        guard record.close.sent == nil, channel != nil else { return nil }
        record.close.sent = CloseFrameInfo(code: code, reason: configuration.redactor.text(reason), atMs: nowMs())
        return sendFrame(opcode: .close, payload: CloseFrameBody.encode(code: code, reason: reason), wantFuture: true)
    }

    private func scheduleDrop(after delay: Duration, end: TransportEnd) {
        scheduledDrop?.cancel()
        scheduledDrop = eventLoop.scheduleTask(in: TimeAmount(max(delay, .zero))) { [weak self] in
            guard let self else { return }
            self.assumeIsolated { $0.perform($0.machine.closeTransport(end)) }
        }
    }

    private func preview<C: Collection>(opcode: FrameOpcode, payload: C) -> String? where C.Element == UInt8 {
        guard !payload.isEmpty else { return nil }
        let redactor = configuration.redactor
        switch opcode {
        case .text, .continuation:
            // Redact a generous prefix before cutting to the preview: a JWT or a known secret cut in the
            // middle would no longer be recognised.
            let text = String(decoding: payload.prefix(4096), as: UTF8.self)
            return String(redactor.text(text).prefix(64))
        case .close:
            let body = CloseFrameBody.parse(Array(payload))
            let text = (body.code.map(String.init) ?? "") + (body.reason.isEmpty ? "" : " " + body.reason)
            return String(redactor.text(text).prefix(64))
        default:
            return Self.hexPreview(payload.prefix(16))
        }
    }

    // MARK: - Transport end

    private func transportEnded(_ ending: WebSocketConnectionStateMachine.Ending, end: TransportEnd, at t: Double) {
        switch ending {
        case .duringTLS(let error):
            tlsFailed(error ?? .other("the server closed the connection during the TLS handshake"), at: t)
        case .duringUpgrade where record.timings.firstResponseByteAtMs == nil && alertAboutClientCertificate != nil:
            // TLS 1.3: the client's side of the handshake is done before the server checks our certificate,
            // so its refusal arrives as an alert in place of the upgrade response.
            let kind = transportError ?? .other("")
            let reason = alertAboutClientCertificate ?? .handshakeFailure
            recordTLSOutcome(failure: reason, detail: Self.alertDescription(kind))
            setFailure(.tls, .tlsFailure, "\(reason.rawValue): \(Self.alertDescription(kind))", at: t)
        case .duringUpgrade:
            let received =
                record.timings.firstResponseByteAtMs == nil ? "before any response byte" : "before the response head was complete"
            setFailure(.upgrade, end == .reset ? .reset : .connectionClosed, "the connection ended (\(end.rawValue)) \(received)", at: t)
        case .duringRejectedBody:
            rejectedBodyDone = true
            finishRejectedBody()
        case .withoutCloseFrame(let kind):
            let why = if case .http2(_, let text)? = machine.transportError { "\(end.rawValue): \(text)" } else { end.rawValue }
            setFailure(.websocket, kind, "the transport ended (\(why)) without a close frame from the peer (1006)", at: t)
        case .plain:
            break
        }
        record.close = closeObservation(end: end, atMs: t)
        keepaliveTask?.cancel()
        scheduledDrop?.cancel()
        scheduledDrop = nil
    }

    /// Lowercase hex bytes separated by spaces (same text as ``UpgradeResponseParser/hex(_:)``), built without
    /// intermediate strings: it runs for every binary frame.
    static func hexPreview<C: Collection>(_ bytes: C) -> String where C.Element == UInt8 {
        let digits: StaticString = "0123456789abcdef"
        var utf8: [UInt8] = []
        utf8.reserveCapacity(bytes.count * 3)
        digits.withUTF8Buffer { d in
            for b in bytes {
                if !utf8.isEmpty { utf8.append(0x20) }
                if b >= 16 { utf8.append(d[Int(b >> 4)]) } else { utf8.append(0x30) }
                utf8.append(d[Int(b & 0x0F)])
            }
        }
        return String(decoding: utf8, as: UTF8.self)
    }
}
