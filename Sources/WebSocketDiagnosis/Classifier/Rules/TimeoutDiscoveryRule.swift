/// The timeout-discovery probes found a limit even though the main attempt did not hit it
/// (docs/FAILURE_SIGNATURES.md rule 6: an idle timeout goes away with pings, a lifetime cap does not).
///
/// A bare end of a probe is a front's timeout; a probe the server closed first with a close frame is the
/// server's own limit (its per-connection cap, its idle timeout) — an observation, never a pass; a probe
/// ended after the server's pings went unanswered is the server's keepalive (``ServerKeepalive``).
///
/// With `--direct` the probes also run direct to the backend (rule 4): a bare cut at the same age direct
/// is the application's own timeout (a read deadline, a receive or request timeout of its server) and not
/// the front's; a cut through the front while the direct probe lives its full length is the front's.
struct TimeoutDiscoveryRule: ClassificationRule {
    /// The comparison with the direct path is made here, probe against probe (the direct main attempt
    /// holds no idle or long-lived connection, so comparing with it would add confidence it cannot support).
    var comparesPaths: Bool { true }

    func evaluate(_ context: ClassificationContext) -> Verdict? {
        guard let m = context.measurements else { return nil }
        if let keepalive = keepalive(context, m) { return keepalive }
        if let cap = m.bareLifetimeMs {
            var evidence = [
                Evidence(
                    rule: RuleName.timingLifetime,
                    observation:
                        "the lifetime probe (\(Describe.pings(context.measurements))) ended after \(Describe.ms(cap)) with no close frame")
            ]
            var confidence = Confidence.strong
            if let idle = m.bareIdleTimeoutMs, context.agree(idle, cap) {
                evidence.append(
                    Evidence(
                        rule: RuleName.pingsVersusNoPings,
                        observation: "the silent probe ended after \(Describe.ms(idle)) too: pings made no difference"))
                confidence = Confidence.confirmed
            }
            switch Self.direct(
                context, frontMs: cap, directBareMs: m.directBareLifetimeMs, outlived: m.directLifetimeOutlived, probeMs: m.lifetimeProbeMs,
                probe: "pinged")
            {
            case .sameCut(let line):
                return Verdict(
                    cause: .applicationConnectionCap, confidence: confidence,
                    summary:
                        "The application cuts connections \(Describe.seconds(cap)) after open whatever the traffic, direct to it too (no close frame): its own per-connection limit or its server's request/worker timeout, not the front; raise it or reconnect before it",
                    evidence: evidence + [line])
            case .frontOnly(let line):
                evidence.append(line)
                confidence = min(Confidence.certain, confidence + Confidence.Step.agreeing)
            case .other(let line):
                evidence.append(line)
            case .none:
                break
            }
            evidence += KnownLimits.evidence(lifetimeMs: cap)
            return Verdict(
                cause: .lifetimeCap, confidence: confidence,
                summary:
                    "Connections are cut \(Describe.seconds(cap)) after open whatever the traffic: raise the load balancer's backend-service/request timeout (\(Describe.seconds(cap))) or reconnect before it; pings do not keep this connection alive",
                evidence: evidence)
        }
        if let idle = m.bareIdleTimeoutMs, m.bareLifetimeMs == nil {
            var evidence = [
                Evidence(
                    rule: RuleName.timingIdle,
                    observation: "the silent probe (no data, no pings) ended after \(Describe.ms(idle)) with no close frame")
            ]
            let pingsTested = m.lifetimeProbeMs != nil
            if let probe = m.lifetimeProbeMs {
                evidence.append(
                    Evidence(
                        rule: RuleName.pingsVersusNoPings,
                        observation:
                            "the probe with \(Describe.pings(context.measurements)) lived its full \(Describe.ms(probe)): pings keep it alive"
                    ))
            }
            var confidence = pingsTested ? Confidence.confirmed : Confidence.plausible
            switch Self.direct(
                context, frontMs: idle, directBareMs: m.directBareIdleTimeoutMs, outlived: m.directIdleOutlived, probeMs: m.idleProbeMs,
                probe: "silent")
            {
            case .sameCut(let line):
                return Verdict(
                    cause: .applicationIdleTimeout, confidence: pingsTested ? Confidence.characteristic : Confidence.probable,
                    summary:
                        "The application cuts silent connections after \(Describe.seconds(idle)), direct to it too (no close frame): its own idle or receive timeout (a read deadline in the handler), not the front; send a message or ping every \(Describe.seconds(idle / 2)) or less, or raise that timeout",
                    evidence: evidence + [line])
            case .frontOnly(let line):
                evidence.append(line)
                confidence = min(Confidence.certain, confidence + Confidence.Step.agreeing)
            case .other(let line):
                evidence.append(line)
            case .none:
                break
            }
            evidence += KnownLimits.evidence(idleMs: idle)
            return Verdict(
                cause: .idleTimeout, confidence: confidence,
                summary:
                    "Silent connections are cut after \(Describe.seconds(idle)): send a ping every \(Describe.seconds(idle / 2)) or less, or raise the idle timeout of the proxy/load balancer",
                evidence: evidence)
        }
        return serverClosed(context, m)
    }

    /// What the same probe direct to the backend says about a cut seen through the front.
    enum DirectProbe {
        /// Direct, the probe was cut bare at the same age: the application's own limit.
        case sameCut(Evidence)
        /// Direct, the probe lived its full length: only the front cuts.
        case frontOnly(Evidence)
        /// Direct, it ended otherwise (another age, a close frame): worth saying, not decisive.
        case other(Evidence)
    }

    /// Compares a front probe cut after `frontMs` with the same probe direct (`nil` when none ran direct).
    static func direct(
        _ context: ClassificationContext, frontMs: Double, directBareMs: Double?, outlived: Bool, probeMs: Double?, probe: String
    ) -> DirectProbe? {
        if let d = directBareMs {
            if context.agree(d, frontMs) {
                return .sameCut(
                    Evidence(
                        rule: RuleName.directVersusFront,
                        observation:
                            "direct to the backend the \(probe) probe was cut after \(Describe.ms(d)) too, with no close frame: the same limit without the front"
                    ))
            }
            return .other(
                Evidence(
                    rule: RuleName.directVersusFront,
                    observation:
                        "direct to the backend the \(probe) probe was cut after \(Describe.ms(d)) (through the front \(Describe.ms(frontMs))): the shorter limit is the one users hit"
                ))
        }
        if outlived {
            let length = probeMs.map { " \(Describe.ms($0))" } ?? ""
            return .frontOnly(
                Evidence(
                    rule: RuleName.directVersusFront,
                    observation: "direct to the backend the \(probe) probe lived its full\(length): only the path through the front cuts it"
                ))
        }
        return nil
    }

    /// A probe ended by the server's keepalive: its pings went unanswered (pongs withheld), then the end.
    private func keepalive(_ context: ClassificationContext, _ m: Measurements) -> Verdict? {
        for (name, probe) in [("silent", m.idleTranscript), ("pinged", m.lifetimeTranscript)] {
            guard let probe, ServerCloseExplanation.endedByPeer(probe), let end = probe.close.received?.atMs ?? probe.close.atMs
            else { continue }
            let probeContext = ClassificationContext.probe(probe, thresholds: context.thresholds)
            if let keepalive = ApplicationKeepalive(probeContext, endAtMs: end) {
                let how = probe.close.received.map { Describe.close(code: $0.code, reason: $0.reason) } ?? "no close frame"
                return Verdict(
                    cause: .applicationKeepaliveTimeout, confidence: keepalive.noAnswerEver ? Confidence.strong : Confidence.probable,
                    summary:
                        "The server's \(keepalive.heartbeat.dialect.rawValue) keepalive ends connections whose application pings go unanswered (\(Describe.seconds(keepalive.sinceFirstUnansweredMs)) after the first, \(how)) — not an idle timeout: \(keepalive.advice)",
                    evidence: [
                        Evidence(
                            rule: RuleName.applicationKeepalive,
                            observation: "the \(name) timeout probe ended (\(how)) after the server's application pings went unanswered"),
                        keepalive.evidence,
                    ])
            }
            guard let keepalive = ServerKeepalive(probeContext, endAtMs: end) else { continue }
            let how = probe.close.received.map { Describe.close(code: $0.code, reason: $0.reason) } ?? "no close frame"
            return Verdict(
                cause: .applicationKeepaliveTimeout, confidence: keepalive.noPongEver ? Confidence.characteristic : Confidence.probable,
                summary:
                    "The server's keepalive ends connections whose pings go unanswered (\(Describe.seconds(keepalive.sinceFirstUnansweredMs)) after the first, \(how)): keep the client answering pings, and make sure proxies forward pong frames",
                evidence: [
                    Evidence(
                        rule: RuleName.timingKeepalive,
                        observation: "the \(name) timeout probe ended (\(how)) after the server's pings went unanswered"),
                    keepalive.evidence,
                ])
        }
        return nil
    }

    /// The server closed a probe first with a close frame: its own cap (the pinged probe closed) or its own
    /// idle timeout (only the silent probe closed).
    private func serverClosed(_ context: ClassificationContext, _ m: Measurements) -> Verdict? {
        if let capped = ServerCloseExplanation.serverClosedAge(m.lifetimeTranscript) {
            var evidence = [
                Evidence(
                    rule: RuleName.unrequestedClose,
                    observation:
                        "the lifetime probe (\(Describe.pings(context.measurements))) was closed by the server, \(Describe.close(code: capped.close.code, reason: capped.close.reason)), \(Describe.ms(capped.ageMs)) after open"
                )
            ]
            var confidence = Confidence.likely
            if let idle = ServerCloseExplanation.serverClosedAge(m.idleTranscript), context.agree(idle.ageMs, capped.ageMs) {
                evidence.append(
                    Evidence(
                        rule: RuleName.pingsVersusNoPings,
                        observation: "the silent probe was closed after \(Describe.ms(idle.ageMs)) too: traffic made no difference"))
                confidence = Confidence.characteristic
            }
            return UnrequestedCloseRule.verdict(
                .connectionCap(ms: capped.ageMs), close: capped.close, evidence: evidence, confidence: confidence)
        }
        if let idle = ServerCloseExplanation.serverClosedAge(m.idleTranscript), m.lifetimeMs == nil {
            var evidence = [
                Evidence(
                    rule: RuleName.unrequestedClose,
                    observation:
                        "the silent probe was closed by the server, \(Describe.close(code: idle.close.code, reason: idle.close.reason)), \(Describe.ms(idle.ageMs)) after open"
                )
            ]
            if let lived = m.lifetimeProbeMs {
                evidence.append(
                    Evidence(
                        rule: RuleName.pingsVersusNoPings,
                        observation:
                            "the probe with \(Describe.pings(context.measurements)) lived its full \(Describe.ms(lived)): traffic keeps it alive"
                    ))
            }
            return UnrequestedCloseRule.verdict(
                .idleTimeout(ms: idle.ageMs), close: idle.close, evidence: evidence,
                confidence: m.lifetimeProbeMs != nil ? Confidence.strong : Confidence.suggestive)
        }
        return nil
    }
}
