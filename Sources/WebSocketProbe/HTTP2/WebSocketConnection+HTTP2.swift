import NIOCore
import WebSocketDiagnosis

extension WebSocketConnection {
    // MARK: - The extended CONNECT (RFC 8441), in place of the HTTP/1.1 upgrade

    /// Waits (bounded by the upgrade timeout, from the end of TLS) for the server's SETTINGS and the answer
    /// to the extended CONNECT that ``HTTP2WebSocketStreamHandler`` sends; on a 2xx the connection opens
    /// and the stream's data reaches the frame parser (what came with the answer first: ``takeHeld(_:)``),
    /// otherwise the failure is recorded and the connection closed. The transcript keeps the request (`CONNECT`, `:protocol websocket`), the answer as the
    /// handshake (`HTTP/2`), and the stream in ``ConnectionTranscript/http2``.
    func upgradeOverHTTP2(_ http2: HTTP2Transport) async {
        guard let channel, let slot = http2.slot.value, configuration.url.isSecure else {
            fail(.http2NotNegotiated, "WebSockets over HTTP/2 need TLS with ALPN h2 (wss://)", at: nowMs())
            return await closeAfterFailedOpening(.localClose, http2)
        }
        record.request = http2.recordedRequest(by: configuration.redactor)
        let bound = configuration.timeouts.upgrade
        let timer = channel.eventLoop.scheduleTask(in: TimeAmount(bound)) { slot.complete(.timedOut) }
        let opening = (try? await slot.promise.futureResult.get()) ?? .timedOut
        timer.cancel()
        let stream = http2.state.value
        if let at = stream.connectWrittenAt { record.timings.requestWrittenAtMs = ms(at) }
        let t = nowMs()
        switch opening {
        case .answered(let status, let headers, let endStream, let at):
            let answeredAt = ms(at)
            record.timings.firstResponseByteAtMs = answeredAt
            record.timings.responseHeadAtMs = answeredAt
            record.timings.upgradeMs = answeredAt - (tlsDoneAtMs ?? tcpDoneAtMs ?? 0)
            let redactor = configuration.redactor
            let selected = headers.first(named: "sec-websocket-protocol")
            record.handshake = HandshakeObservation(
                status: status, httpVersion: "HTTP/2", headers: redactor.headers(headers), subprotocol: selected.map(redactor.subprotocol))
            guard let status, (200..<300).contains(status) else {
                fail(
                    .upgradeRejected, "the extended CONNECT was answered \(status.map(String.init) ?? "without a :status")", at: answeredAt)
                return await closeAfterFailedOpening(.localClose, http2)
            }
            guard !endStream else {
                fail(
                    .invalidUpgradeResponse,
                    "the extended CONNECT was answered \(status) with END_STREAM: no stream to carry the WebSocket", at: answeredAt)
                return await closeAfterFailedOpening(.localClose, http2)
            }
            guard phase != .ended else {
                fail(
                    .connectionClosed,
                    "the extended CONNECT was answered \(status) but the connection ended before the stream carried anything", at: t)
                return takeHeld(http2)
            }
            if let problem = subprotocolProblem(selected) {
                addFinding(problem.code, problem.detail, at: answeredAt)
                if problem.fatal {
                    fail(.invalidUpgradeResponse, problem.detail, at: answeredAt)
                    return await closeAfterFailedOpening(.localClose, http2)
                }
            }
            perform(machine.upgradeAnswered(.accepted), at: answeredAt)
            record.timings.openAtMs = answeredAt
            selectedSubprotocol = selected
            // What the server sent with and right after its answer comes now, to the frame parser.
            takeHeld(http2)
            if let keepalive = configuration.keepalive { startKeepalive(keepalive) }
            checkWaiters()
        case .notNegotiated(let alpn):
            fail(
                .http2NotNegotiated,
                "ALPN selected \(alpn ?? "no protocol") to an offer of h2 only: the server does not speak HTTP/2 here (browsers use HTTP/1.1)",
                at: t)
            await closeAfterFailedOpening(.localClose, http2)
        case .notAdvertised:
            fail(
                .http2NoExtendedConnect,
                "HTTP/2 without SETTINGS_ENABLE_CONNECT_PROTOCOL = 1: WebSockets over HTTP/2 are not offered (browsers open them over HTTP/1.1 here)",
                at: stream.settingsAt.map(ms) ?? t)
            await closeAfterFailedOpening(.localClose, http2)
        case .ended(let ending):
            // The stream's end (RST_STREAM, GOAWAY) is the transport's end; the connection then closes it.
            // The stream's own account when it saw the end; otherwise the error that ended the opening (a malformed
            // frame, a handler that could not be set up), which the stream never saw.
            fail(
                ending.kind ?? .connectionClosed, stream.phase == .ended ? stream.detail : ending.detail, at: ms(ending.at),
                end: ending.end ?? .localClose)
            await closeAfterFailedOpening(.localClose, http2)
        case .timedOut:
            let what = stream.phase == .awaitingSettings ? "no SETTINGS frame" : "no answer to the extended CONNECT"
            let detail = "\(what) within \(DurationText.format(bound)) of the TLS handshake"
            addFinding(.timeout, detail, at: t)
            fail(.handshakeTimeout, detail, at: t, end: .localTimeout)
            await closeAfterFailedOpening(.localTimeout, http2)
        }
    }

    /// Records the opening's failure. The connection's end can reach this actor before the opening's outcome
    /// when both came in one read (the outcome is a promise, the end an event): the outcome came first on the
    /// wire, so it replaces the generic "ended before any response" the end recorded.
    /// `end` is how the transport ends (the stream's `RST_STREAM`/`GOAWAY`, our bound, our close).
    private func fail(_ kind: ProbeFailureKind, _ detail: String, at t: Double, end: TransportEnd = .localClose) {
        if phase == .ended, record.failure?.stage == .upgrade { record.failure = nil }
        setFailure(.upgrade, kind, detail, at: t)
        if phase == .ended {
            record.close.transportEnd = end == .localClose ? record.close.transportEnd : end
            return
        }
        // The end's reason first (the first one is kept), then failing: no frames are read; the transport is
        // closed next (``closeAfterFailedOpening(_:_:)``).
        _ = machine.closeTransport(end)
        _ = machine.upgradeAnswered(.invalid)
    }

    private func closeAfterFailedOpening(_ end: TransportEnd, _ http2: HTTP2Transport) async {
        takeHeld(http2)
        dropTransport(end)
        _ = await wait(.seconds(2)) { [self] in phase == .ended }
    }

    /// Takes the stream from its machine: what it held while the connection had not taken the answer (the
    /// stream's data, its ending, the connection's end, in the order and with the times read) is handled now, and everything
    /// after it passes through the channel at once. Held items are handed over here, not down the channel:
    /// a 2xx, a close frame and the end can all come in one read before this actor runs, and by then the
    /// channel may be closed and its handlers gone. An ending closes the channel, as ``WireEventHandler``
    /// does with an error.
    private func takeHeld(_ http2: HTTP2Transport) {
        guard case .forward(let items) = http2.state.withLock({ $0.event(.released) }) else { return }
        for item in items {
            switch item {
            case .bytes(let buffer, let at):
                deliver(.bytes(buffer, at: at))
            case .ending(let ending):
                deliver(.error(TransportErrorKind.classify(ending), at: ending.at))
                if let channel { intoChannel { channel.close(promise: nil) } }
            case .inactive(let at):
                deliver(.inactive(at: at))
            }
        }
    }

    /// RFC 6455 §4.1 for the answer's `sec-websocket-protocol`: one we offered, and one at all when we
    /// offered some (fatal unless the configuration tolerates none).
    private func subprotocolProblem(_ selected: String?) -> (code: FindingCode, detail: String, fatal: Bool)? {
        let offered = configuration.subprotocols
        if let selected {
            guard offered.contains(selected) else {
                return (.unexpectedSubprotocol, "the server selected the subprotocol '\(selected)', which was not offered", true)
            }
            return nil
        }
        guard !offered.isEmpty else { return nil }
        return (.subprotocolNotEchoed, "subprotocols were offered and the answer selected none", configuration.requireSubprotocolSelection)
    }
}
