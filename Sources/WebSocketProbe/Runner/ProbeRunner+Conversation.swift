import Foundation
import WebSocketDiagnosis

extension ProbeRunner {
    // MARK: - Subprotocol selection

    /// The subprotocol the profile expects the server to select, as the transcript records it (redacted):
    /// `nil` when any offered one (or none) will do.
    func expectedSubprotocol(channel: AuthChannel?, token: String?, redactor: Redactor) -> String? {
        guard channel == .subprotocol else { return nil }
        switch plan.profile.auth.selects {
        case .none, .any: return nil
        case .fixed(let name): return name
        case .tokenEntry:
            guard let entry = plan.profile.auth.subprotocols.first(where: ProfileTemplate.carriesToken) else { return nil }
            return redactor.subprotocol(ProfileTemplate.render(entry, token: token))
        }
    }

    /// After a failed subprotocol step: whether that failure is the profile's (the application speaks another
    /// contract) rather than the application's. Another offered entry selected is a contract mismatch as it
    /// stands; none selected is checked on a second connection that tolerates it: when the application then
    /// sends the profile's welcome it speaks the profile and only its selection is wrong (no mismatch).
    func subprotocolMismatch(
        _ transcript: ConnectionTranscript, isOpen: Bool, expected: String?, url: WebSocketURL, channel: AuthChannel?, token: String?,
        redactor: Redactor
    ) async -> [ContractMismatch] {
        guard transcript.handshake?.status == 101 else { return [] }
        let offered = transcript.request?.offeredSubprotocols ?? []
        let selects = "\(plan.profile.auth.selects)" + (expected.map { " ('\($0)')" } ?? "")
        if let selected = transcript.handshake?.subprotocol {
            guard offered.contains(selected) else { return [] }  // never offered: a handshake error, not a contract
            return [ContractMismatch(field: "auth.selects", expected: selects, observed: "the server selected '\(selected)'")]
        }
        guard let welcome = plan.profile.welcome else { return [] }
        var configuration = clientConfiguration(url: url, channel: channel, token: token, redactor: redactor)
        configuration.requireSubprotocolSelection = false
        stop.enter("contract-check")
        let connection = await open(configuration)
        guard await connection.isOpen else { return [] }
        let session = ProbeSession(connection: connection, clock: clock, profile: plan.profile, answerEnginePings: !plan.withholdPongs)
        let bound = welcome.within ?? plan.timeouts.message
        let outcome = await session.waitFor(within: bound) { m in m.control == nil && welcome.anyOf.contains(where: m.matches) }
        await connection.abort()
        guard case .timedOut = outcome else { return [] }
        let seen = session.seen(since: 0)
        return [
            ContractMismatch(
                field: "auth.selects", expected: selects, observed: "the server selected none of [\(offered.joined(separator: ", "))]"),
            ContractMismatch(
                field: "welcome",
                expected:
                    "\(welcome.anyOf.map(\.description).joined(separator: " or ")) within \(DurationText.format(bound)) (checked on a second connection that accepts no selection)",
                observed: seen.isEmpty ? "no message at all" : "\(seen.count) other message(s), none of that shape", seen: seen),
        ]
    }

    // MARK: - Socket.IO

    /// Engine.IO's open packet, then our CONNECT to `namespace` and its answer. `false` (with the auth step
    /// failed) when it did not work.
    func socketIOConnect(
        _ session: ProbeSession, namespace: String, authJSON: String?, token: String?, ledger: inout StepLedger,
        mismatches: inout [ContractMismatch],
        start: Duration
    ) async -> Bool {
        let bound = plan.profile.welcome?.within ?? plan.timeouts.message
        var outcome = await session.waitFor(within: bound) { m in if case .open = m.control { true } else { false } }
        if case .timedOut = outcome {
            let seen = session.seen(since: 0)
            mismatches.append(
                ContractMismatch(
                    field: "envelope",
                    expected: "socketio: an Engine.IO open packet 0{\"sid\":…} first, within \(DurationText.format(bound))",
                    observed: seen.isEmpty ? "no message at all" : "\(seen.count) other message(s)", seen: seen))
            ledger.fail(
                .auth, durationMs: ms(since: start),
                detail:
                    "no Engine.IO open packet within \(DurationText.format(bound)): not a Socket.IO v4 endpoint (EIO=4, websocket transport)?"
            )
            return false
        }
        guard case .matched = outcome else {
            failSocketIO(outcome, "the Engine.IO open packet", ledger: &ledger, start: start)
            return false
        }
        await session.connection.send(text: ProfileMessage.connectPacket(namespace: namespace, authJSON: authJSON, token: token))
        let before = session.seenTotal
        outcome = await session.waitFor(within: bound) { m in if case .connect(let ns) = m.control { ns == namespace } else { false } }
        switch outcome {
        case .matched:
            return true
        case .refused(let message):
            ledger.fail(
                .auth, durationMs: ms(since: start),
                detail: "namespace \(namespace) refused the connection (CONNECT_ERROR): \(message.prefix(200))")
        case .timedOut:
            let seen = session.seen(since: before)
            mismatches.append(
                ContractMismatch(
                    field: "envelope.namespace", expected: "40 CONNECT to \(namespace) answered by 40 within \(DurationText.format(bound))",
                    observed: seen.isEmpty ? "no answer" : "\(seen.count) other message(s)", seen: seen))
            ledger.fail(
                .auth, durationMs: ms(since: start),
                detail: "no answer to the Socket.IO CONNECT to \(namespace) within \(DurationText.format(bound))")
        default:
            failSocketIO(outcome, "the namespace's answer", ledger: &ledger, start: start)
        }
        return false
    }

    private func failSocketIO(_ outcome: ProbeSession.WaitOutcome, _ what: String, ledger: inout StepLedger, start: Duration) {
        switch outcome {
        case .closed(let end):
            ledger.fail(.auth, durationMs: ms(since: start), detail: "the connection ended before \(what): \(end.probeSummary)")
        case .applicationError(let e), .refused(let e):
            ledger.fail(.auth, durationMs: ms(since: start), detail: "an error instead of \(what): \(e.prefix(200))")
        case .timedOut, .matched: ledger.fail(.auth, durationMs: ms(since: start), detail: "no \(what)")
        }
    }

    // MARK: - Heartbeat

    /// The profile's application heartbeat. Returns the detail, or `nil` with the messages step failed.
    func heartbeat(
        _ heartbeat: ApplicationProfile.Heartbeat, _ session: ProbeSession, ledger: inout StepLedger, mismatches: inout [ContractMismatch],
        start: Duration
    ) async -> String? {
        switch heartbeat {
        case .message(let send, let expect, let within):
            let bound = within ?? plan.timeouts.message
            let sent = ProfileMessage.encode(.event(type: send, payloadJSON: "{}"), envelope: plan.profile.envelope, token: nil)
            await session.connection.send(text: sent)
            let before = session.seenTotal
            let outcome = await session.waitFor([expect], within: bound)
            let what = "sent \(sent)"
            switch outcome {
            case .matched: return "\(send) → \(expect)"
            case .timedOut:
                let seen = session.seen(since: before)
                if !seen.isEmpty {
                    mismatches.append(
                        ContractMismatch(
                            field: "heartbeat", expected: "\(expect) within \(DurationText.format(bound)) after \(send)",
                            observed: "\(seen.count) other message(s), no \(expect)", seen: seen))
                }
                ledger.fail(.messages, durationMs: ms(since: start), detail: "\(what), no \(expect) within \(DurationText.format(bound))")
            case .closed(let end):
                ledger.fail(.messages, durationMs: ms(since: start), detail: "\(what), the connection ended: \(end.probeSummary)")
            case .applicationError(let e), .refused(let e):
                ledger.fail(.messages, durationMs: ms(since: start), detail: "\(what), got an error: \(e.prefix(200))")
            }
            return nil
        case .engineIO(let within):
            let interval = session.engineIOOpen?.intervalMs
            let timeout = session.engineIOOpen?.timeoutMs
            let announced =
                "Engine.IO announced pingInterval \(interval.map { Self.format(ms: $0) } ?? "?"), pingTimeout \(timeout.map { Self.format(ms: $0) } ?? "?")"
            let bound = within ?? plan.timeouts.message
            guard let interval, interval <= bound.milliseconds else { return announced + "; pings answered as they come" }
            // The server pings every `interval`: one must arrive within it (plus its timeout, on a busy machine).
            // A ping that came before this step (the steps before it were slow: a busy machine) counts: with pongs
            // withheld, the server would close before a second one, and the step would read as a failure.
            let received =
                announced
                + (session.answerEnginePings
                    ? "; server ping 2 answered with 3" : "; server ping 2 received, not answered (--withhold-pongs)")
            if session.enginePings > 0 { return received }
            let wait = Duration.milliseconds(interval + (timeout ?? interval))
            let outcome = await session.waitFor(within: wait) { _ in session.enginePings > 0 }
            switch outcome {
            case .matched,
                .timedOut where session.enginePings > 0,
                .closed where session.enginePings > 0 && !session.answerEnginePings:
                return received
            case .timedOut:
                ledger.fail(
                    .messages, durationMs: ms(since: start), detail: "\(announced), but no server ping within \(DurationText.format(wait))")
            case .closed(let end):
                ledger.fail(.messages, durationMs: ms(since: start), detail: "\(announced); the connection ended: \(end.probeSummary)")
            case .applicationError(let e), .refused(let e):
                ledger.fail(.messages, durationMs: ms(since: start), detail: "\(announced); an error: \(e.prefix(200))")
            }
            return nil
        }
    }

    // MARK: - Conversation

    /// One conversation step: send, then receive until the terminal event (or any reply), the bound, an end
    /// or an error. Returns the detail, or `nil` with the step's probe step failed.
    func exchange(
        _ step: ApplicationProfile.ConversationStep, index: Int, _ session: ProbeSession, token: String?, ledger: inout StepLedger,
        mismatches: inout [ContractMismatch], awaited: inout [String], path: ProbePath
    ) async -> String? {
        let expect = step.expect
        let bound = step.within ?? plan.timeouts.message * max(1, expect.events.count)
        let start = clock.now()
        let field = "conversation[\(index)]"
        let sentText = ProfileMessage.encode(step.send, envelope: plan.profile.envelope, token: token)
        await session.connection.send(text: sentText)
        let before = session.seenTotal
        var seen: [String] = []
        var chunks = 0
        var missingFields: [String] = []
        let activity = "\(step.step.rawValue) (\(path))"
        let ending = expect.endingEvent
        let outcome = await session.waitFor(within: bound) { m in
            guard m.control == nil else { return false }
            if expect.anyReply { return true }
            guard let type = m.type else { return false }
            if type == expect.chunks { chunks += 1 }
            if expect.events.contains(type) {
                seen.append(type)
                for f in expect.fields where ProfileMessage.value(at: f, in: m.object) == nil && !missingFields.contains("\(type).\(f)") {
                    missingFields.append("\(type).\(f)")
                }
                if expect.events.count > 1 {
                    report(
                        activity, "waiting for \(ending ?? "the end"); seen \(Set(seen).count) of \(Set(expect.events).count) event kinds",
                        elapsed: clock.now() - start, total: bound)
                }
            }
            return type == ending
        }
        if expect.events.count > 1 { report(activity, "", elapsed: clock.now() - start, total: bound, finished: true) }
        let sent = step.send.describe
        let missing = expect.events.filter { !seen.contains($0) }
        func fail(_ detail: String) -> String? {
            ledger.fail(step.step, durationMs: ms(since: start), detail: "\(step.name): \(detail)")
            // What this step waited for is expected too (the classifier's missing events), beside the critical ones.
            awaited = ([expect.chunks].compactMap { $0 } + expect.events + [expect.terminal].compactMap { $0 })
            return nil
        }
        switch outcome {
        case .matched(let m) where expect.anyReply:
            if case .text(let template) = step.send, m.text == ProfileTemplate.render(template, token: token) || m.text == sentText {
                return "\(step.name): sent \(sent), the same text came back"
            }
            return "\(step.name): sent \(sent), got a reply (\(m.text.count) characters\(m.type.map { ", \($0)" } ?? ""))"
        case .matched:
            if expect.chunks != nil, chunks == 0 { return fail("\(ending ?? "") without any \(expect.chunks ?? "") chunk") }
            if !missing.isEmpty { return fail("\(ending ?? "") arrived but missing: \(missing.joined(separator: ", "))") }
            if expect.ordered, !Self.isInOrder(seen, expect.events) { return fail("events out of order: \(seen.joined(separator: ", "))") }
            if !expect.repeats, Set(seen).count < seen.count { return fail("events repeated: \(seen.joined(separator: ", "))") }
            if !missingFields.isEmpty {
                mismatches.append(
                    ContractMismatch(
                        field: "\(field).expect.fields", expected: "every event with \(expect.fields.joined(separator: ", "))",
                        observed: "missing \(missingFields.prefix(8).joined(separator: ", "))", seen: session.seen(since: before)))
                return fail("events lack fields: \(missingFields.prefix(8).joined(separator: ", "))")
            }
            var detail = "\(step.name): sent \(sent) → "
            if let c = expect.chunks { detail += "\(chunks) \(c) chunk(s) → " }
            if !expect.events.isEmpty {
                detail += expect.ordered ? "all \(Set(expect.events).count) events in order" : "all \(Set(expect.events).count) events"
                detail += " (\(seen.count) events)"
            } else {
                detail += ending ?? ""
            }
            return detail
        case .timedOut:
            let recent = session.seen(since: before)
            let known = plan.profile.serverEvents
            let spoke = !seen.isEmpty || chunks > 0 || session.receivedEvents.suffix(recent.count).contains(where: known.contains)
            if !recent.isEmpty, !spoke {
                mismatches.append(
                    ContractMismatch(
                        field: "\(field).expect",
                        expected: expect.anyReply
                            ? "a reply to \(sent) within \(DurationText.format(bound))"
                            : "\(ending ?? "") within \(DurationText.format(bound)) after \(sent)",
                        observed: "\(recent.count) message(s) of other types", seen: recent))
            }
            if expect.anyReply { return fail("sent \(sent), no reply within \(DurationText.format(bound))") }
            if expect.chunks != nil, missing.isEmpty {
                return fail("\(chunks) chunk(s), no \(ending ?? "") within \(DurationText.format(bound))")
            }
            return fail(
                "missing \((missing.isEmpty ? [ending ?? ""] : missing).joined(separator: ", ")) after \(DurationText.format(bound))")
        case .closed(let end):
            let progress =
                expect.chunks != nil
                ? "\(chunks) chunk(s), then " : missing.isEmpty || expect.anyReply ? "" : "missing \(missing.joined(separator: ", ")); "
            return fail("sent \(sent), \(progress)the connection ended: \(end.probeSummary)")
        case .applicationError(let e), .refused(let e):
            return fail("sent \(sent), got an error: \(e.prefix(200))")
        }
    }
}

extension ApplicationProfile.Outgoing {
    /// `start_agent` or `a text message`, for details.
    var describe: String {
        switch self {
        case .event(let type, _): type
        case .text: "a text message"
        }
    }
}

extension ApplicationProfile {
    /// Every event name the server may send under this profile (what "an unknown reply" is measured against).
    var serverEvents: Set<String> {
        var names = Set(criticalEvents + errorTypes)
        names.formUnion(welcome?.anyOf.map(\.type) ?? [])
        if case .message(_, let expect, _) = heartbeat { names.insert(expect) }
        for step in conversation {
            names.formUnion(step.expect.events)
            if let t = step.expect.terminal { names.insert(t) }
            if let c = step.expect.chunks { names.insert(c) }
        }
        return names
    }
}
