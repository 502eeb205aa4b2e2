/// The transport ended with no close frame either way ("1006"): a timeout, a kill, a proxy, the network
/// — or an app server that drops sockets on exceptions (FAILURE_SIGNATURES rules 1, 3, 6).
///
/// Timing decides, in this order:
/// 1. the server's pings went unanswered and the end came inside the keepalive window → the server's
///    keepalive (its 1011 lost);
/// 2. right after one of our messages, unanswered → the application dropped the socket;
/// 3. the timeout-discovery measurements match this end → idle timeout or lifetime cap, confirmed;
/// 4. silence from the peer for ≥ the minimum silence → idle timeout (both directions silent, or the
///    backend silent while we sent: a read timeout);
/// 5. traffic flowing to the end, at least the minimum lifetime after open → lifetime cap;
/// 6. anything else → a dropped connection, with low confidence.
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
            observation: "transport ended (\(endKind.rawValue)) \(Describe.ms(lived)) after open with no close frame; last inbound frame \(Describe.ms(inSilence)) before the end, last outbound \(Describe.ms(outSilence)) before")
        var evidence = [base]

        // 1. Server keepalive whose close frame was lost.
        let window = context.thresholds.keepaliveStallWindow
        if let firstUnanswered = f.unansweredServerPingsAtMs.first {
            let stall = end - (f.lastOutboundPongAtMs.map { max($0, open) } ?? open)
            let sinceFirstPing = end - firstUnanswered
            if stall >= window.lowerBound.milliseconds, stall <= window.upperBound.milliseconds + 1000, sinceFirstPing <= window.upperBound.milliseconds {
                evidence.append(Evidence(rule: RuleName.timingKeepalive, observation: "\(f.unansweredServerPingsAtMs.count) server pings went unanswered, the first \(Describe.ms(sinceFirstPing)) before the end; \(Describe.ms(stall)) without a pong from us"))
                return Verdict(cause: .applicationKeepaliveTimeout, confidence: 0.6, summary: "The server's keepalive most likely gave up (\(Describe.seconds(stall)) after our pongs stopped) and its 1011 was lost: keep the client answering pings", evidence: evidence)
            }
        }

        // 2. Right after one message, unanswered.
        if let m = f.lastMessage(before: end), end - m <= context.ms(\.afterMessageWindow), !f.inboundData(after: m, until: end),
            isOnlyUnansweredMessage(m, facts: f, end: end, inSilence: inSilence)
        {
            evidence.append(Evidence(rule: RuleName.timingAfterMessage, observation: "the end came \(Describe.ms(end - m)) after our message at \(Describe.ms(m)), which got no answer"))
            return Verdict(
                cause: .applicationConnectionDropped, confidence: 0.55,
                summary: "The socket ended with no close frame right after our message: the app server likely dropped it on an exception (uvicorn: \"Exception in ASGI application\" in the log) — a proxy limit is possible too; rerun with --direct",
                evidence: evidence)
        }

        // 3. Timeout discovery confirms.
        if let m = context.measurements {
            if let cap = m.lifetimeMs, context.agree(cap, lived) {
                evidence.append(Evidence(rule: RuleName.pingsVersusNoPings, observation: "the lifetime probe (a ping every second) also ended after \(Describe.ms(cap)): pings do not keep it alive"))
                return lifetimeCap(lived, confidence: 0.9, evidence: evidence)
            }
            if let idle = m.idleTimeoutMs, m.lifetimeMs == nil, context.agree(idle, min(inSilence, outSilence)) || context.agree(idle, inSilence) {
                evidence.append(Evidence(rule: RuleName.pingsVersusNoPings, observation: "the idle probe ended after \(Describe.ms(idle)) of silence while the probe with pings\(m.lifetimeProbeMs.map { " lived its full \(Describe.ms($0))" } ?? " was not cut"): pings keep it alive"))
                return idleTimeout(idle, readOnly: false, confidence: 0.9, evidence: evidence)
            }
        }

        // 4. Silence from the peer.
        let minSilence = context.ms(\.minimumSilence)
        if inSilence >= minSilence {
            let bothSilent = outSilence >= minSilence
            let n = bothSilent ? min(inSilence, outSilence) : inSilence
            evidence.append(Evidence(
                rule: RuleName.timingIdle,
                observation: bothSilent
                    ? "no frame in either direction for the last \(Describe.ms(n))"
                    : "nothing from the peer for the last \(Describe.ms(inSilence)) while we kept sending (last outbound \(Describe.ms(outSilence)) before the end)"))
            return idleTimeout(n, readOnly: !bothSilent, confidence: bothSilent ? 0.7 : 0.6, evidence: evidence)
        }

        // 5. Traffic flowed to the end: a cap on the connection's age.
        if lived >= context.ms(\.minimumLifetime) {
            evidence.append(Evidence(rule: RuleName.timingLifetime, observation: "traffic flowed until the end (last inbound \(Describe.ms(inSilence)), last outbound \(Describe.ms(outSilence)) before it): not idle; ended at \(Describe.ms(lived)) after open"))
            return lifetimeCap(lived, confidence: context.expectations.pingsDuringRun ? 0.65 : 0.55, evidence: evidence)
        }

        // 6. No pattern.
        return Verdict(
            cause: .infrastructureConnectionDropped, confidence: 0.35,
            summary: "The connection was dropped with no close frame and no timing pattern (\(endKind.rawValue) after \(Describe.ms(lived))): rerun with --direct to tell a proxy from the app server",
            evidence: evidence)
    }

    /// "Right after *one* message": no earlier message of ours also went unanswered since the peer last
    /// spoke (several unanswered messages mean the peer was already silent — a read timeout, not a trigger).
    private func isOnlyUnansweredMessage(_ m: Double, facts f: TranscriptFacts, end: Double, inSilence: Double) -> Bool {
        let lastInbound = end - inSilence
        return !f.outboundMessagesAtMs.contains { $0 > lastInbound && $0 < m }
    }

    private func idleTimeout(_ n: Double, readOnly: Bool, confidence: Double, evidence: [Evidence]) -> Verdict {
        let summary = readOnly
            ? "A proxy read timeout cut the connection after \(Describe.seconds(n)) with nothing from the backend (nginx proxy_read_timeout-style): raise it or have the server send pings/data more often"
            : "An idle timeout cut the connection after \(Describe.seconds(n)) of silence: send a ping every \(Describe.seconds(n / 2)) or less, or raise the proxy/load balancer idle timeout"
        return Verdict(cause: .idleTimeout, confidence: confidence, summary: summary, evidence: evidence)
    }

    private func lifetimeCap(_ n: Double, confidence: Double, evidence: [Evidence]) -> Verdict {
        Verdict(
            cause: .lifetimeCap, confidence: confidence,
            summary: "A cap on connection age ended it \(Describe.seconds(n)) after open despite traffic: raise the load balancer's backend-service/request timeout (\(Describe.seconds(n))) or reconnect before it; pings do not keep this connection alive",
            evidence: evidence)
    }
}
