/// The transport ended with no close frame either way ("1006"): a timeout, a kill, a proxy, the network
/// — or an app server that drops sockets on exceptions (docs/FAILURE_SIGNATURES.md rules 1, 3, 6).
///
/// Timing decides, in this order:
/// 1. the server's pings went unanswered and the end came within the server's own ping timeout (its
///    interval learned from its pings, ``ServerKeepalive``) → the server's keepalive (its close lost, or
///    none sent: autobahn/Daphne and aiohttp drop the socket); the same for its application pings
///    (``ApplicationKeepalive``);
/// 2. the timeout-discovery measurements match this end → lifetime cap or idle timeout, confirmed;
/// 3. right after one of our messages, unanswered → the application dropped the socket;
/// 4. in the middle of a streamed reply to our last message (two or more frames, the last one just
///    before the end), with expected events missing → the application crashed mid-stream;
/// 5. silence from the peer for ≥ the minimum silence, and longer than the connection's usual gap
///    between inbound frames → idle timeout (both directions silent, or the backend silent while we
///    sent: a read timeout);
/// 6. traffic flowing to the end: a lifetime cap when the lifetime probe does not contradict it, the
///    age is at least the minimum lifetime and close to whole seconds; otherwise a dropped connection
///    (a kill lands at any moment).
struct BareTransportEndRule: ClassificationRule {
    func evaluate(_ context: ClassificationContext) -> Verdict? {
        let f = context.facts
        guard f.bareEnd, let end = f.endAtMs, let open = f.openAtMs else { return nil }
        let lived = end - open
        let inSilence = f.sinceLastInboundMs ?? lived
        let outSilence = f.sinceLastOutboundMs ?? lived
        let endKind = context.transcript.close.transportEnd
        let base = Evidence(
            rule: RuleName.closeFrame,
            observation:
                "transport ended (\(endKind.rawValue)) \(Describe.ms(lived)) after open with no close frame; last inbound frame \(Describe.ms(inSilence)) before the end, last outbound \(Describe.ms(outSilence)) before"
        )
        var evidence = [base]

        // 1. Server keepalive whose close frame was lost (or that ends bare by design: autobahn/Daphne, aiohttp).
        if let keepalive = ServerKeepalive(context, endAtMs: end) {
            evidence.append(keepalive.evidence)
            return Verdict(
                cause: .applicationKeepaliveTimeout, confidence: keepalive.noPongEver ? Confidence.strong : Confidence.plausible,
                summary:
                    "The server's keepalive gave up (\(Describe.seconds(keepalive.sinceFirstUnansweredMs)) after its first unanswered ping; it pings every \(Describe.seconds(keepalive.intervalMs))) and ended the connection with no close frame: keep the client answering pings, and make sure proxies forward pong frames",
                evidence: evidence)
        }

        if let keepalive = ApplicationKeepalive(context, endAtMs: end) {
            evidence.append(keepalive.evidence)
            return Verdict(
                cause: .applicationKeepaliveTimeout, confidence: keepalive.noAnswerEver ? Confidence.likely : Confidence.plausible,
                summary:
                    "The server's \(keepalive.heartbeat.dialect.rawValue) keepalive gave up (\(Describe.seconds(keepalive.sinceFirstUnansweredMs)) after its first unanswered application ping) and ended the connection with no close frame: \(keepalive.advice)",
                evidence: evidence)
        }

        // 2. Timeout discovery confirms.
        if let m = context.measurements {
            if let cap = m.bareLifetimeMs,
                context.agree(cap, lived) || Self.agreeSinceAccept(context, lived: lived, probe: m.lifetimeTranscript, probeLived: cap)
            {
                evidence.append(
                    Evidence(
                        rule: RuleName.pingsVersusNoPings,
                        observation:
                            "the lifetime probe (\(Describe.pings(context.measurements))) also ended after \(Describe.ms(cap)): pings do not keep it alive"
                    ))
                return lifetimeCap(lived, confidence: Confidence.confirmed, evidence: evidence)
            }
            if let idle = m.bareIdleTimeoutMs, m.bareLifetimeMs == nil,
                context.agree(idle, min(inSilence, outSilence)) || context.agree(idle, inSilence)
            {
                evidence.append(
                    Evidence(
                        rule: RuleName.pingsVersusNoPings,
                        observation:
                            "the idle probe ended after \(Describe.ms(idle)) of silence while the probe with pings\(m.lifetimeProbeMs.map { " lived its full \(Describe.ms($0))" } ?? " was not cut"): pings keep it alive"
                    ))
                return idleTimeout(idle, readOnly: false, confidence: Confidence.confirmed, evidence: evidence)
            }
        }

        // 3. Right after one message, unanswered.
        let afterWindow = context.ms(\.afterMessageWindow)
        if let m = f.lastMessage(before: end), end - m <= afterWindow, !f.inboundData(after: m, until: end),
            isOnlyUnansweredMessage(m, facts: f, end: end, inSilence: inSilence)
        {
            evidence.append(
                Evidence(
                    rule: RuleName.timingAfterMessage,
                    observation: "the end came \(Describe.ms(end - m)) after our message at \(Describe.ms(m)), which got no answer"))
            return Verdict(
                cause: .applicationConnectionDropped, confidence: Confidence.tentative,
                summary:
                    "The socket ended with no close frame right after our message: the app server likely dropped it on an exception (uvicorn: \"Exception in ASGI application\" in the log) — a proxy limit is possible too",
                evidence: evidence, next: [.compareDirect()])
        }

        // 4. In the middle of the reply to our last message, with expected events missing.
        let replies = f.lastMessage(before: end).map { m in f.inboundDataAtMs.filter { $0 > m && $0 <= end } } ?? []
        if let m = f.lastMessage(before: end), replies.count >= 2, let lastReply = replies.last, end - lastReply <= afterWindow,
            let (missing, missingEvidence) = MissingEventsRule.missingEvents(context)
        {
            let replies = replies.count
            evidence.append(
                Evidence(
                    rule: RuleName.timingAfterMessage,
                    observation:
                        "the end came mid-reply: \(replies) frames answered our message at \(Describe.ms(m)), the last \(Describe.ms(end - lastReply)) before the end"
                ))
            evidence += missingEvidence
            let which = missing == ["(see step)"] ? "the remaining events" : missing.joined(separator: ", ")
            return Verdict(
                cause: .applicationConnectionDropped, confidence: Confidence.even,
                summary:
                    "The socket ended with no close frame in the middle of the reply (\(which) never came): the handler likely crashed mid-stream; read the backend log",
                evidence: evidence, next: [.compareDirect("to rule out the front")])
        }

        // 5. Silence from the peer.
        let minSilence = context.ms(\.minimumSilence)
        // A final silence no longer than the connection's usual gap between inbound frames is its cadence, not idleness.
        let cadence = f.longestInboundGapMs.map { $0 * context.thresholds.cadenceFactor + context.ms(\.cadenceSlack) } ?? 0
        if inSilence >= minSilence, inSilence > cadence {
            let bothSilent = outSilence >= minSilence
            let n = bothSilent ? min(inSilence, outSilence) : inSilence
            evidence.append(
                Evidence(
                    rule: RuleName.timingIdle,
                    observation: bothSilent
                        ? "no frame in either direction for the last \(Describe.ms(n))"
                        : "nothing from the peer for the last \(Describe.ms(inSilence)) while we kept sending (last outbound \(Describe.ms(outSilence)) before the end)"
                ))
            return idleTimeout(
                n, readOnly: !bothSilent, confidence: bothSilent ? Confidence.probable : Confidence.suggestive, evidence: evidence)
        }

        // 6. Traffic flowed to the end: a cap on the connection's age, or a kill.
        evidence.append(
            Evidence(
                rule: RuleName.timingLifetime,
                observation:
                    "traffic flowed until the end (last inbound \(Describe.ms(inSilence)), last outbound \(Describe.ms(outSilence)) before it): not idle"
            ))
        if let m = context.measurements, m.lifetimeProbeMs != nil {
            let probe =
                m.lifetimeMs.map { "the lifetime probe ended after \(Describe.ms($0))" }
                ?? "the lifetime probe outlived its \(Describe.ms(m.lifetimeProbeMs ?? 0))"
            evidence.append(
                Evidence(rule: RuleName.pingsVersusNoPings, observation: "\(probe), not at \(Describe.ms(lived)): this end is no fixed cap")
            )
            return dropped(lived, endKind: endKind, confidence: Confidence.even, evidence: evidence)
        }
        if lived >= context.ms(\.minimumLifetime), let whole = nearWholeSeconds(lived, context: context) {
            // About a third of random kills land this close to a whole second: a hint, not a measurement.
            evidence.append(
                Evidence(
                    rule: RuleName.timingLifetime,
                    observation:
                        "ended \(Describe.ms(lived)) after open, \(whole) — configured timeouts land there, but so do many random kills; only the lifetime probe can confirm a cap"
                ))
            return lifetimeCap(
                lived, confidence: context.expectations.pingsDuringRun ? Confidence.leaning : Confidence.weak, confirmed: false,
                evidence: evidence)
        }
        return dropped(lived, endKind: endKind, confidence: Confidence.leaning, evidence: evidence)
    }

    /// Whether the age (from open, or from the request written, where a front starts its timer) is
    /// within the tolerance of a whole number of seconds; a description of which when it is.
    private func nearWholeSeconds(_ lived: Double, context: ClassificationContext) -> String? {
        let tolerance = context.ms(\.wholeSecondTolerance)
        var ages = [("after open", lived)]
        if let end = context.facts.endAtMs, let written = context.transcript.timings.requestWrittenAtMs {
            ages.append(("after the upgrade request", end - written))
        }
        for (label, age) in ages {
            let seconds = (age / 1000).rounded()
            if seconds >= 1, abs(age - seconds * 1000) <= tolerance {
                return "\(Int(seconds)) s \(label) to within \(Describe.ms(abs(age - seconds * 1000)))"
            }
        }
        return nil
    }

    /// Whether the main connection and the lifetime probe can have ended at the same age counted from the front's
    /// accept — where a lifetime cap starts its timer. Each connection's age since the accept lies between its
    /// age since open and that plus its own time to open (the accept came after the transcript started); on a
    /// loaded host the two handshakes differ by hundreds of ms, so ages from open alone may disagree.
    static func agreeSinceAccept(_ context: ClassificationContext, lived: Double, probe: ConnectionTranscript?, probeLived: Double) -> Bool
    {
        guard let probe, let probeOpen = probe.timings.openAtMs, let open = context.transcript.timings.openAtMs else { return false }
        let tolerance = context.ms(\.measurementTolerance)
        let main = lived...(lived + open)
        let other = probeLived...(probeLived + probeOpen)
        return main.lowerBound <= other.upperBound + tolerance && other.lowerBound <= main.upperBound + tolerance
    }

    /// "Right after *one* message": no earlier message of ours also went unanswered since the peer last
    /// spoke (several unanswered messages mean the peer was already silent — a read timeout, not a trigger).
    private func isOnlyUnansweredMessage(_ m: Double, facts f: TranscriptFacts, end: Double, inSilence: Double) -> Bool {
        let lastInbound = end - inSilence
        return !f.outboundMessagesAtMs.contains { $0 > lastInbound && $0 < m }
    }

    private func dropped(_ lived: Double, endKind: TransportEnd, confidence: Double, evidence: [Evidence]) -> Verdict {
        Verdict(
            cause: .infrastructureConnectionDropped, confidence: confidence,
            summary:
                "The connection was dropped with no close frame under traffic (\(endKind.rawValue) after \(Describe.ms(lived))): a killed instance or a proxy",
            evidence: evidence, next: [.compareDirect(), NextStep(.measureLifetime, "if it always ends at the same age")])
    }

    private func idleTimeout(_ n: Double, readOnly: Bool, confidence: Double, evidence: [Evidence]) -> Verdict {
        let summary =
            readOnly
            ? "A proxy read timeout cut the connection after \(Describe.seconds(n)) with nothing from the backend (nginx proxy_read_timeout-style): raise it or have the server send pings/data more often"
            : "An idle timeout cut the connection after \(Describe.seconds(n)) of silence: send a ping every \(Describe.seconds(n / 2)) or less, or raise the proxy/load balancer idle timeout"
        return Verdict(cause: .idleTimeout, confidence: confidence, summary: summary, evidence: evidence + KnownLimits.evidence(idleMs: n))
    }

    private func lifetimeCap(_ n: Double, confidence: Double, confirmed: Bool = true, evidence: [Evidence]) -> Verdict {
        let summary =
            confirmed
            ? "A cap on connection age ended it \(Describe.seconds(n)) after open despite traffic: raise the load balancer's backend-service/request timeout (\(Describe.seconds(n))) or reconnect before it; pings do not keep this connection alive"
            : "The connection ended under traffic \(Describe.seconds(n)) after open, close to a whole second: possibly a cap on connection age (a killed instance ends like this too)"
        return Verdict(
            cause: .lifetimeCap, confidence: confidence, summary: summary, evidence: evidence + KnownLimits.evidence(lifetimeMs: n),
            next: confirmed ? [] : [NextStep(.measureLifetime, "to confirm before raising any timeout")])
    }
}
