import Foundation
import WebSocketDiagnosis

extension ProbeRunner {
    /// The five critical events of an agent run, in the order the reference contract requires.
    public static let criticalAgentEvents = ["agent_started", "agent_thinking", "tool_executing", "tool_completed", "agent_completed"]

    /// Runs the layered plan once against `url` (`path` names it in progress).
    public func attempt(url: WebSocketURL, token: String?, redactor: Redactor, path: ProbePath) async -> Attempt {
        let channel = mainChannel(token: token)
        let configuration = clientConfiguration(url: url, channel: channel, token: token, redactor: redactor)
        let sentCredential = channel != nil || plan.headers.first(named: "Authorization") != nil
            || plan.headers.contains { Redactor().secretHeaders.contains($0.name.lowercased()) }
        var expectations = ProbeExpectations(
            profile: plan.profile.rawValue, sentCredential: sentCredential,
            expectedEvents: plan.profile == .reference ? Self.criticalAgentEvents : [])

        stop.enter(path == .front ? "connect" : "connect (direct)")
        let connection = await open(configuration)
        let isOpen = await connection.isOpen
        var ledger = StepLedger()
        ledger.recordHandshake(await connection.transcript(), isOpen: isOpen,
                               expectedSubprotocol: channel == .subprotocol ? "jwt-auth" : nil)
        var sustainedMs: Double?
        let session = ProbeSession(connection: connection, clock: clock)
        if !ledger.hasFailed {
            sustainedMs = await runSession(session, ledger: &ledger, sentCredential: sentCredential, path: path)
        }
        // A step failed on an open connection (no pong, no event): keep the evidence as it was
        // (`still-open`), then drop the transport without inventing a close of ours.
        // Cut short by --max-time or a signal: what failed because we cut the connection is reported as
        // interrupted, never as the peer's failure.
        if let reason = stop.reason { ledger.interrupt(reason.phrase) }
        var transcript = await connection.transcript()
        if await connection.isOpen { await connection.abort() }
        transcript.target.url = redactor.url(transcript.target.url)
        expectations.receivedEvents = session.receivedEvents
        expectations.messagesSentAtMs = transcript.frames
            .filter { $0.direction == .outbound && ($0.opcode == "text" || $0.opcode == "binary") }.map(\.atMs)
        expectations.pingsDuringRun = plan.sustain != nil || plan.keepalive != nil
        return Attempt(transcript: transcript, steps: ledger.steps, expectations: expectations, sustainedMs: sustainedMs)
    }

    // MARK: - After the upgrade

    /// Auth → ping → messages → sustain → agent events → close on an open connection.
    /// Returns how long a sustain held, when one ran.
    private func runSession(_ session: ProbeSession, ledger: inout StepLedger, sentCredential: Bool, path: ProbePath) async -> Double? {
        let messageBound = plan.timeouts.message
        let connection = session.connection

        // Auth
        stop.enter(suffixed("auth", path))
        var start = clock.now()
        if plan.profile == .reference {
            switch await session.waitFor(["connection_established"], within: messageBound) {
            case .matched:
                ledger.pass(.auth, durationMs: ms(since: start),
                            detail: sentCredential ? "credential accepted: welcome connection_established received" : "welcome connection_established received (no credential sent)")
            case .timedOut:
                ledger.fail(.auth, durationMs: ms(since: start), detail: "no connection_established welcome within \(DurationText.format(messageBound))")
            case .closed(let end):
                ledger.fail(.auth, durationMs: ms(since: start), detail: "the connection ended before the welcome: \(end.probeSummary)")
            case .applicationError(let text):
                ledger.fail(.auth, durationMs: ms(since: start), detail: "the backend answered with an error instead of the welcome: \(text.prefix(200))")
            }
        } else if sentCredential {
            ledger.pass(.auth, detail: "the upgrade with the credential was accepted")
        } else {
            ledger.notApplicable(.auth, reason: "no credential in this plan")
        }
        guard !ledger.hasFailed else { return nil }

        // Ping / pong
        stop.enter(suffixed("ping", path))
        start = clock.now()
        if let rtt = await connection.ping(timeout: messageBound) {
            ledger.pass(.ping, durationMs: ms(since: start), detail: "pong in \(Self.format(ms: rtt))")
        } else if let end = await connection.waitForEnd(timeout: .zero) {
            ledger.fail(.ping, durationMs: ms(since: start), detail: "the connection ended while waiting for the pong: \(end.probeSummary)")
        } else {
            ledger.fail(.ping, durationMs: ms(since: start), detail: "no pong within \(DurationText.format(messageBound))")
        }
        guard !ledger.hasFailed else { return nil }

        // Message flow
        stop.enter(suffixed("messages", path))
        start = clock.now()
        switch plan.profile {
        case .plain:
            ledger.notApplicable(.messages, reason: "not part of the plain profile")
        case .echo:
            let text = "ws1011 echo probe \(UInt32.random(in: 0...UInt32.max))"
            await connection.send(text: text)
            switch await session.waitFor(nil, within: messageBound) {
            case .matched(_, let reply):
                ledger.pass(.messages, durationMs: ms(since: start),
                            detail: reply == text ? "sent a text message, the same text came back" : "sent a text message, got a reply (\(reply.count) characters, not an exact echo)")
            case .timedOut:
                ledger.fail(.messages, durationMs: ms(since: start), detail: "sent a text message, no reply within \(DurationText.format(messageBound))")
            case .closed(let end):
                ledger.fail(.messages, durationMs: ms(since: start), detail: "sent a text message, the connection ended: \(end.probeSummary)")
            case .applicationError(let e):
                ledger.fail(.messages, durationMs: ms(since: start), detail: "sent a text message, got an error: \(e.prefix(200))")
            }
        case .reference:
            await referenceMessages(session, ledger: &ledger, start: start)
        }
        guard !ledger.hasFailed else { return nil }
        if let size = plan.messageSize {
            await oversizedMessage(session, bytes: size, ledger: &ledger)
            guard !ledger.hasFailed else { return nil }
        }

        // Sustained connection
        stop.enter(suffixed("sustain", path))
        var sustainedMs: Double?
        if let sustain = plan.sustain {
            sustainedMs = await sustainConnection(session, for: sustain, ledger: &ledger, path: path)
        } else {
            ledger.notApplicable(.sustain, reason: "no --sustain duration given")
        }
        guard !ledger.hasFailed else { return sustainedMs }

        // Agent events
        stop.enter(suffixed("agent-events", path))
        if plan.profile == .reference {
            await agentRun(session, ledger: &ledger, path: path)
        } else {
            ledger.notApplicable(.agentEvents, reason: "only the reference profile runs an agent")
        }
        guard !ledger.hasFailed else { return sustainedMs }

        // Close
        start = clock.now()
        if let end = await connection.waitForEnd(timeout: .zero) {
            ledger.fail(.close, durationMs: ms(since: start), detail: "the connection had already ended: \(end.probeSummary)")
            return sustainedMs
        }
        await connection.close(code: 1000, reason: "ws1011 probe done")
        let end = await connection.transcript().close
        if let received = end.received, end.order == .sentFirst || end.order == .receivedFirst {
            ledger.pass(.close, durationMs: ms(since: start),
                        detail: "close handshake completed: sent 1000, received \(received.code.map(String.init) ?? "close without status"), transport \(end.transportEnd.rawValue)")
        } else {
            ledger.fail(.close, durationMs: ms(since: start), detail: "our close frame got no close frame back: \(end.probeSummary)")
        }
        return sustainedMs
    }

    /// JSON `ping` → `pong`, then `stream_request` → `partial_result` chunks → `stream_complete`.
    private func referenceMessages(_ session: ProbeSession, ledger: inout StepLedger, start: Duration) async {
        let bound = plan.timeouts.message
        await session.connection.send(text: ProbeSession.jsonMessage(type: "ping"))
        switch await session.waitFor(["pong"], within: bound) {
        case .matched: break
        case .timedOut:
            ledger.fail(.messages, durationMs: ms(since: start), detail: #"sent {"type":"ping"}, no pong within "# + DurationText.format(bound))
            return
        case .closed(let end):
            ledger.fail(.messages, durationMs: ms(since: start), detail: #"sent {"type":"ping"}, the connection ended: "# + end.probeSummary)
            return
        case .applicationError(let e):
            ledger.fail(.messages, durationMs: ms(since: start), detail: #"sent {"type":"ping"}, got an error: "# + e.prefix(200))
            return
        }
        await session.connection.send(text: ProbeSession.jsonMessage(type: "stream_request", payloadJSON: #"{"content":"ws1011 stream probe"}"#))
        var chunks = 0
        let outcome = await session.waitFor(["stream_complete"], within: bound) { type in
            if type == "partial_result" { chunks += 1 }
        }
        switch outcome {
        case .matched where chunks > 0:
            ledger.pass(.messages, durationMs: ms(since: start), detail: "JSON ping → pong; stream_request → \(chunks) partial_result chunk(s) → stream_complete")
        case .matched:
            ledger.fail(.messages, durationMs: ms(since: start), detail: "stream_request → stream_complete without any partial_result chunk")
        case .timedOut:
            ledger.fail(.messages, durationMs: ms(since: start), detail: "stream_request: \(chunks) chunk(s), no stream_complete within \(DurationText.format(bound))")
        case .closed(let end):
            ledger.fail(.messages, durationMs: ms(since: start), detail: "stream_request: \(chunks) chunk(s), then the connection ended: \(end.probeSummary)")
        case .applicationError(let e):
            ledger.fail(.messages, durationMs: ms(since: start), detail: "stream_request: got an error: \(e.prefix(200))")
        }
    }

    /// One application message of `bytes` bytes (`--message-size`): the connection must stay up and the peer
    /// keep answering (a JSON `ping` for `reference`, our ping otherwise) within the message bound. A size
    /// limit shows as a close (1009) or a dropped socket; the step fails with what happened.
    private func oversizedMessage(_ session: ProbeSession, bytes: Int, ledger: inout StepLedger) async {
        let bound = plan.timeouts.message
        let start = clock.now()
        let connection = session.connection
        let text: String
        if plan.profile == .reference {
            // A type of its own: the reference contract acknowledges unknown types, so the message starts no
            // agent run whose events the agent-events step would then mistake for its own.
            let envelope = ProbeSession.jsonMessage(type: "size_probe", payloadJSON: #"{"data":""}"#)
            let filler = String(repeating: "x", count: max(0, bytes - envelope.utf8.count))
            text = ProbeSession.jsonMessage(type: "size_probe", payloadJSON: #"{"data":""# + filler + #""}"#)
        } else {
            text = String(repeating: "x", count: bytes)
        }
        await connection.send(text: text)
        let size = "\(text.utf8.count)-byte message"
        // The peer's reaction to the message, or its answer to the next probe, whichever comes first.
        if let end = await connection.waitForEnd(timeout: min(bound, .seconds(1))) {
            ledger.revise(ProbeStep(name: .messages, status: .failed, durationMs: ms(since: start), detail: "sent a \(size), the connection ended: \(end.probeSummary)"))
            return
        }
        let before = ledger.outcome(of: .messages)
        func failed(_ detail: String) -> ProbeStep {
            ProbeStep(name: .messages, status: .failed, durationMs: ms(since: start), detail: detail)
        }
        if let rtt = await connection.ping(timeout: bound) {
            let detail = "sent a \(size); the connection stayed up (pong in \(Self.format(ms: rtt)))"
            let combined = before.map { $0.status == .passed ? $0.detail + "; " + detail : detail } ?? detail
            ledger.revise(ProbeStep(name: .messages, status: .passed, durationMs: (before?.durationMs ?? 0) + ms(since: start), detail: combined))
        } else if let end = await connection.waitForEnd(timeout: .zero) {
            ledger.revise(failed("sent a \(size), the connection ended: \(end.probeSummary)"))
        } else {
            ledger.revise(failed("sent a \(size), then no pong within \(DurationText.format(bound))"))
        }
    }

    /// `start_agent` → the five critical events, in order, each within the message bound.
    private func agentRun(_ session: ProbeSession, ledger: inout StepLedger, path: ProbePath) async {
        let bound = plan.timeouts.message
        let start = clock.now()
        let expected = Self.criticalAgentEvents
        await session.connection.send(text: ProbeSession.jsonMessage(type: "start_agent", payloadJSON: plan.agentPayloadJSON))
        var seen: [String] = []
        let total = bound * expected.count
        let outcome = await session.waitFor(["agent_completed"], within: total) { type in
            guard let type, expected.contains(type) else { return }
            seen.append(type)
            report("agent-events (\(path))", "waiting for agent_completed; seen \(Array(Set(seen)).count) of 5 event kinds",
                   elapsed: clock.now() - start, total: total)
        }
        report("agent-events (\(path))", "", elapsed: clock.now() - start, total: total, finished: true)
        let missing = expected.filter { !seen.contains($0) }
        let inOrder = Self.isInOrder(seen, expected)
        switch outcome {
        case .matched where missing.isEmpty && inOrder:
            ledger.pass(.agentEvents, durationMs: ms(since: start), detail: "all five critical events in order (\(seen.count) events)")
        case .matched:
            ledger.fail(.agentEvents, durationMs: ms(since: start),
                        detail: missing.isEmpty ? "events out of order: \(seen.joined(separator: ", "))" : "agent_completed arrived but missing: \(missing.joined(separator: ", "))")
        case .timedOut:
            ledger.fail(.agentEvents, durationMs: ms(since: start), detail: "missing \(missing.joined(separator: ", ")) after \(DurationText.format(total))")
        case .closed(let end):
            ledger.fail(.agentEvents, durationMs: ms(since: start), detail: "the connection ended mid-run (missing \(missing.joined(separator: ", "))): \(end.probeSummary)")
        case .applicationError(let e):
            ledger.fail(.agentEvents, durationMs: ms(since: start), detail: "the backend refused the agent run: \(e.prefix(200))")
        }
    }

    /// Keeps the connection busy with a ping every ``ProbePlan/trafficInterval`` for `duration`.
    /// Returns how long it held.
    private func sustainConnection(_ session: ProbeSession, for duration: Duration, ledger: inout StepLedger, path: ProbePath) async -> Double {
        let connection = session.connection
        let start = clock.now()
        var missedPongs = 0
        let activity = "sustain (\(path))"
        while clock.now() - start < duration {
            report(activity, "connection up with a ping every \(DurationText.format(plan.trafficInterval))", elapsed: clock.now() - start, total: duration)
            // A pong is waited for up to the message bound, not just the traffic interval: a pong that is merely
            // late (a loaded machine, a slow path) is not a missing pong. The cadence resumes at the next tick.
            if await connection.ping(timeout: plan.timeouts.message) == nil {
                if let end = await connection.waitForEnd(timeout: .zero) {
                    report(activity, "", elapsed: clock.now() - start, total: duration, finished: true)
                    let held = ms(since: start)
                    ledger.fail(.sustain, durationMs: held, detail: "the connection ended after \(Self.format(ms: held)) of \(DurationText.format(duration)): \(end.probeSummary)")
                    return held
                }
                missedPongs += 1
            }
            let nextTick = plan.trafficInterval - (clock.now() - start).remainder(of: plan.trafficInterval)
            let left = duration - (clock.now() - start)
            if left <= .zero { break }
            try? await clock.sleep(min(nextTick, left))
        }
        report(activity, "", elapsed: clock.now() - start, total: duration, finished: true)
        let held = ms(since: start)
        if let end = await connection.waitForEnd(timeout: .zero) {
            ledger.fail(.sustain, durationMs: held, detail: "the connection ended at the end of the sustain: \(end.probeSummary)")
        } else if missedPongs > 0 {
            ledger.fail(.sustain, durationMs: held, detail: "held \(DurationText.format(duration)) but \(missedPongs) ping(s) got no pong")
        } else {
            ledger.pass(.sustain, durationMs: held, detail: "held \(DurationText.format(duration)) with a ping every \(DurationText.format(plan.trafficInterval))")
        }
        return held
    }

    // MARK: - Helpers

    /// `step`, or `step (direct)` for the direct run.
    func suffixed(_ step: String, _ path: ProbePath) -> String { path == .front ? step : "\(step) (\(path))" }

    func ms(since start: Duration) -> Double { (clock.now() - start).milliseconds }

    static func format(ms: Double) -> String {
        ms < 10 ? String(format: "%.1f ms", ms) : "\(Int(ms.rounded())) ms"
    }

    /// Whether `expected` occurs in `seen` in order (as a subsequence, first occurrences).
    static func isInOrder(_ seen: [String], _ expected: [String]) -> Bool {
        var index = 0
        for event in seen where index < expected.count && event == expected[index] { index += 1 }
        return index == expected.count
    }
}

extension Duration {
    /// `self` modulo `divisor` (both positive).
    func remainder(of divisor: Duration) -> Duration {
        let d = divisor.milliseconds
        guard d > 0 else { return .zero }
        return .milliseconds(milliseconds.truncatingRemainder(dividingBy: d))
    }
}
