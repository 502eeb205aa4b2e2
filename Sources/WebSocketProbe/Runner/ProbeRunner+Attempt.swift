import Foundation
import WebSocketDiagnosis
import WebSocketWire

extension ProbeRunner {
    /// The five critical events of an agent run, in the order the lab's contract requires.
    public static let criticalAgentEvents = ApplicationProfile.agentEvents

    /// Runs the layered plan once against `url` (`path` names it in progress).
    public func attempt(url: WebSocketURL, token: String?, redactor: Redactor, path: ProbePath) async -> Attempt {
        let profile = plan.profile
        let channel = mainChannel(token: token)
        let configuration = clientConfiguration(url: url, channel: channel, token: token, redactor: redactor)
        let sentCredential =
            channel != nil || plan.headers.first(named: "Authorization") != nil
            || plan.headers.contains { Redactor().secretHeaders.contains($0.name.lowercased()) }
        var expectations = ProbeExpectations(
            profile: profile.name, sentCredential: sentCredential, expectedEvents: profile.criticalEvents)
        expectations.envelope = profile.envelope.kind

        stop.enter(path == .front ? "connect" : "connect (direct)")
        let connection = await open(configuration)
        let isOpen = await connection.isOpen
        var ledger = StepLedger()
        let expectedSubprotocol = self.expectedSubprotocol(channel: channel, token: token, redactor: redactor)
        ledger.recordHandshake(await connection.transcript(), isOpen: isOpen, expectedSubprotocol: expectedSubprotocol)
        var sustainedMs: Double?
        var mismatches: [ContractMismatch] = []
        var awaited: [String] = []
        let session = ProbeSession(connection: connection, clock: clock, profile: profile, answerEnginePings: !plan.withholdPongs)
        if !ledger.hasFailed {
            sustainedMs = await runSession(
                session, ledger: &ledger, mismatches: &mismatches, awaited: &awaited, token: token, sentCredential: sentCredential,
                path: path)
        } else if ledger.firstFailure?.name == .subprotocol, stop.reason == nil {
            mismatches = await subprotocolMismatch(
                await connection.transcript(), isOpen: isOpen, expected: expectedSubprotocol, url: url, channel: channel, token: token,
                redactor: redactor)
        }
        // A step failed on an open connection (no pong, no event): keep the evidence as it was
        // (`still-open`), then drop the transport without inventing a close of ours.
        // Cut short by --max-time or a signal: what failed because we cut the connection is reported as
        // interrupted, never as the peer's failure.
        if let reason = stop.reason { ledger.interrupt(reason.phrase) }
        var transcript = await connection.transcript()
        if await connection.isOpen { await connection.abort() }
        transcript.target.url = redactor.url(transcript.target.url)
        // A failed conversation step's own events are expected too, beside the critical ones.
        for event in awaited where !expectations.expectedEvents.contains(event) { expectations.expectedEvents.append(event) }
        expectations.receivedEvents = session.receivedEvents
        expectations.messagesSentAtMs = transcript.frames
            .filter { $0.direction == .outbound && ($0.opcode == "text" || $0.opcode == "binary") }.map(\.atMs)
        expectations.pingsDuringRun = plan.sustain != nil || plan.keepalive != nil
        let contract = mismatches.isEmpty || stop.reason != nil ? nil : ContractObservation(profile: profile.name, mismatches: mismatches)
        return Attempt(
            transcript: transcript, steps: ledger.steps, expectations: expectations, sustainedMs: sustainedMs, contract: contract)
    }

    // MARK: - After the upgrade

    /// Auth → ping → messages → sustain → agent events → close on an open connection, in the words of the
    /// plan's profile. Returns how long a sustain held, when one ran.
    private func runSession(
        _ session: ProbeSession, ledger: inout StepLedger, mismatches: inout [ContractMismatch], awaited: inout [String], token: String?,
        sentCredential: Bool, path: ProbePath
    ) async -> Double? {
        let messageBound = plan.timeouts.message
        let connection = session.connection
        let profile = plan.profile

        // Auth: the Engine.IO/Socket.IO handshake, then the welcome
        stop.enter(suffixed("auth", path))
        var start = clock.now()
        var welcomed: [String] = []
        if case .socketIO(let namespace, let authJSON) = profile.envelope {
            guard
                await socketIOConnect(
                    session, namespace: namespace, authJSON: authJSON, token: token, ledger: &ledger, mismatches: &mismatches, start: start)
            else { return nil }
            welcomed.append("Engine.IO open, namespace \(namespace) connected")
        }
        if let welcome = profile.welcome {
            let bound = welcome.within ?? messageBound
            let before = session.seenTotal
            let outcome = await session.waitFor(within: bound) { m in m.control == nil && welcome.anyOf.contains(where: m.matches) }
            let shapes = welcome.anyOf.map(\.description).joined(separator: " or ")
            switch outcome {
            case .matched(let m):
                welcomed.append("welcome \(welcome.anyOf.first(where: m.matches)?.description ?? m.type ?? "") received")
            case .timedOut:
                let seen = session.seen(since: before)
                mismatches.append(
                    ContractMismatch(
                        field: "welcome", expected: "\(shapes) within \(DurationText.format(bound))",
                        observed: seen.isEmpty ? "no message at all" : "\(seen.count) other message(s), none of that shape", seen: seen))
                ledger.fail(
                    .auth, durationMs: ms(since: start),
                    detail: "no \(shapes) welcome within \(DurationText.format(bound))"
                        + (seen.isEmpty ? "" : "; seen: \(seen.joined(separator: " | ").prefix(300))"))
            case .closed(let end):
                ledger.fail(.auth, durationMs: ms(since: start), detail: "the connection ended before the welcome: \(end.probeSummary)")
            case .applicationError(let text), .refused(let text):
                ledger.fail(
                    .auth, durationMs: ms(since: start),
                    detail: "the backend answered with an error instead of the welcome: \(text.prefix(200))")
            }
        }
        if !ledger.hasFailed {
            if !welcomed.isEmpty {
                let what = welcomed.joined(separator: "; ")
                ledger.pass(
                    .auth, durationMs: ms(since: start),
                    detail: sentCredential ? "credential accepted: \(what)" : "\(what) (no credential sent)")
            } else if sentCredential {
                ledger.pass(.auth, detail: "the upgrade with the credential was accepted")
            } else {
                ledger.notApplicable(.auth, reason: "no credential in this plan")
            }
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

        // Message flow: the application heartbeat, then the conversation's message steps
        stop.enter(suffixed("messages", path))
        start = clock.now()
        var details: [String] = []
        if let heartbeat = profile.heartbeat {
            guard let detail = await self.heartbeat(heartbeat, session, ledger: &ledger, mismatches: &mismatches, start: start) else {
                return nil
            }
            details.append(detail)
        }
        for (index, step) in profile.conversation.enumerated() where step.step == .messages {
            guard
                let detail = await exchange(
                    step, index: index, session, token: token, ledger: &ledger, mismatches: &mismatches, awaited: &awaited, path: path)
            else { return nil }
            details.append(detail)
        }
        if details.isEmpty {
            ledger.notApplicable(.messages, reason: "the \(profile.name) profile exchanges no application messages")
        } else {
            ledger.pass(.messages, durationMs: ms(since: start), detail: details.joined(separator: "; "))
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

        // Agent events: the conversation's agent-events steps
        stop.enter(suffixed("agent-events", path))
        start = clock.now()
        details = []
        for (index, step) in profile.conversation.enumerated() where step.step == .agentEvents {
            guard
                let detail = await exchange(
                    step, index: index, session, token: token, ledger: &ledger, mismatches: &mismatches, awaited: &awaited, path: path)
            else { return sustainedMs }
            details.append(detail)
        }
        if details.isEmpty {
            ledger.notApplicable(.agentEvents, reason: "the \(profile.name) profile runs no agent")
        } else {
            ledger.pass(.agentEvents, durationMs: ms(since: start), detail: details.joined(separator: "; "))
        }
        guard !ledger.hasFailed else { return sustainedMs }

        // Close
        start = clock.now()
        if let end = await connection.waitForEnd(timeout: .zero) {
            ledger.fail(.close, durationMs: ms(since: start), detail: "the connection had already ended: \(end.probeSummary)")
            return sustainedMs
        }
        await connection.close(code: CloseCode.normalClosure.rawValue, reason: "ws1011 probe done")
        let end = await connection.transcript().close
        if let received = end.received, end.order == .sentFirst || end.order == .receivedFirst {
            ledger.pass(
                .close, durationMs: ms(since: start),
                detail:
                    "close handshake completed: sent 1000, received \(received.code.map(String.init) ?? "close without status"), transport \(end.transportEnd.rawValue)"
            )
        } else {
            ledger.fail(.close, durationMs: ms(since: start), detail: "our close frame got no close frame back: \(end.probeSummary)")
        }
        return sustainedMs
    }

    /// One application message of `bytes` bytes (`--message-size`): the connection must stay up and the peer
    /// keep answering (our ping) within the message bound. A size
    /// limit shows as a close (1009) or a dropped socket; the step fails with what happened.
    private func oversizedMessage(_ session: ProbeSession, bytes: Int, ledger: inout StepLedger) async {
        let bound = plan.timeouts.message
        let start = clock.now()
        let connection = session.connection
        let text: String
        if case .json = plan.profile.envelope {
            // A type of its own: the lab's contract acknowledges unknown types, so the message starts no
            // agent run whose events the agent-events step would then mistake for its own.
            let envelope = ProfileMessage.encode(
                .event(type: "size_probe", payloadJSON: #"{"data":""}"#), envelope: plan.profile.envelope, token: nil)
            let filler = String(repeating: "x", count: max(0, bytes - envelope.utf8.count))
            text = ProfileMessage.encode(
                .event(type: "size_probe", payloadJSON: #"{"data":""# + filler + #""}"#), envelope: plan.profile.envelope, token: nil)
        } else {
            text = String(repeating: "x", count: bytes)
        }
        await connection.send(text: text)
        let size = "\(text.utf8.count)-byte message"
        // The peer's reaction to the message, or its answer to the next probe, whichever comes first.
        if let end = await connection.waitForEnd(timeout: min(bound, .seconds(1))) {
            ledger.revise(
                ProbeStep(
                    name: .messages, status: .failed, durationMs: ms(since: start),
                    detail: "sent a \(size), the connection ended: \(end.probeSummary)"))
            return
        }
        let before = ledger.outcome(of: .messages)
        func failed(_ detail: String) -> ProbeStep {
            ProbeStep(name: .messages, status: .failed, durationMs: ms(since: start), detail: detail)
        }
        if let rtt = await connection.ping(timeout: bound) {
            let detail = "sent a \(size); the connection stayed up (pong in \(Self.format(ms: rtt)))"
            let combined = before.map { $0.status == .passed ? $0.detail + "; " + detail : detail } ?? detail
            ledger.revise(
                ProbeStep(name: .messages, status: .passed, durationMs: (before?.durationMs ?? 0) + ms(since: start), detail: combined))
        } else if let end = await connection.waitForEnd(timeout: .zero) {
            ledger.revise(failed("sent a \(size), the connection ended: \(end.probeSummary)"))
        } else {
            ledger.revise(failed("sent a \(size), then no pong within \(DurationText.format(bound))"))
        }
    }

    /// Keeps the connection busy with a ping every ``ProbePlan/trafficInterval`` for `duration`.
    /// Returns how long it held.
    private func sustainConnection(_ session: ProbeSession, for duration: Duration, ledger: inout StepLedger, path: ProbePath) async
        -> Double
    {
        let connection = session.connection
        let start = clock.now()
        var missedPongs = 0
        let activity = "sustain (\(path))"
        while clock.now() - start < duration {
            report(
                activity, "connection up with a ping every \(DurationText.format(plan.trafficInterval))", elapsed: clock.now() - start,
                total: duration)
            // Engine.IO pings that arrived meanwhile are answered before ours goes out.
            if case .engineIO = plan.profile.heartbeat { await session.drain() }
            // A pong is waited for up to the message bound, not just the traffic interval: a pong that is merely
            // late (a loaded machine, a slow path) is not a missing pong. The cadence resumes at the next tick.
            if await connection.ping(timeout: plan.timeouts.message) == nil {
                if let end = await connection.waitForEnd(timeout: .zero) {
                    report(activity, "", elapsed: clock.now() - start, total: duration, finished: true)
                    let held = ms(since: start)
                    ledger.fail(
                        .sustain, durationMs: held,
                        detail:
                            "the connection ended after \(Self.format(ms: held)) of \(DurationText.format(duration)): \(end.probeSummary)")
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
            ledger.pass(
                .sustain, durationMs: held,
                detail: "held \(DurationText.format(duration)) with a ping every \(DurationText.format(plan.trafficInterval))")
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
