/// Turns what a probe observed into a ``Verdict``: which layer, which cause, how sure, what to do, and why.
///
/// Pure and deterministic: no I/O, no clock. Rules from docs/FAILURE_SIGNATURES.md run in this priority
/// order — the first layer that failed wins, as in the probe itself — and the first verdict is taken:
///
/// 0. ``InterruptionRule`` — the run was cut short (`--max-time`, a signal) before the main attempt finished.
/// 1. ``NetworkFailureRule`` — DNS, refused, connect timeout, reset before any answer.
/// 2. ``TLSFailureRule`` — plaintext port, untrusted chain, expired, hostname mismatch, other.
/// 3. ``UpgradeTimeoutRule`` — no HTTP answer to the upgrade (compares with the direct run).
/// 4. ``AuthChannelRule`` — the auth-channel matrix shows a channel the front strips.
/// 5. ``HandshakeStatusRule`` — a non-101 answer, by status, direct comparison and fingerprints.
/// 5a. ``ContractMismatchRule`` — the connection works but the application does not speak the chosen
///     profile (no welcome, other replies, another subprotocol selection): the profile's fault, no one else's.
/// 6. ``HandshakeValidityRule`` — a 101 that breaks RFC 6455 §4.1, or no subprotocol echoed.
/// 7. ``ClientKeepaliveRule`` — we sent 1011 after our pings got no pong, nothing came back.
/// 8. ``PeerProtocolViolationRule`` — our findings of frame-level violations by the peer.
/// 8a. ``FleetRule`` — a fleet (`--connections N`): many ends at one instant (a reload or drain, a deploy),
///     or a part of the fleet failing one way while the rest is healthy (one bad instance).
/// 8b. ``SocketIONamespaceRule`` — a Socket.IO namespace answered our CONNECT with CONNECT_ERROR (`44`).
/// 8c. ``HTTP2StreamEndRule`` — over HTTP/2 (`--http2`): `RST_STREAM` or `GOAWAY` in place of a close
///     frame once open, or in answer to the extended CONNECT; no WebSockets over HTTP/2 offered at all.
/// 9. ``UnrequestedCloseRule`` — the server closed before the probe did (1000, 1001, no status, a bare
///     1011): a disconnect message, its keepalive, its cap, its idle timeout, a restart — or unexplained.
/// 10. ``ReceivedCloseRule`` — the peer's close frame: code, reason fingerprint, timing.
/// 11. ``BareTransportEndRule`` — no close frame: keepalive, measured limit, after-message, mid-reply,
///     idle, lifetime, dropped.
/// 12. ``MissingEventsRule`` — the connection was fine but expected events did not arrive.
/// 13. ``TimeoutDiscoveryRule`` — the idle/lifetime probes found a limit the main run did not hit.
/// 14. ``HTTP2ExtendedConnectRule`` — HTTP/1.1 works, but WebSockets over HTTP/2 are advertised and fail
///     (the failure only browsers see).
/// 14a. ``PingFloodRule`` — a step failed while the server sent pings without pause (`frame.ping-flood`).
/// 15. ``UnexplainedStepRule`` — a step failed that nothing explains: inconclusive.
/// 15a. ``UnexplainedFleetEndsRule`` — the main attempt was fine, but most of a fleet ended early in a way
///     ``FleetRule`` cannot name: inconclusive, not healthy.
/// 16. ``HealthyRule`` — opened, nothing failed.
///
/// When the input has a direct run and the winning rule did not already compare paths, the same rules
/// judge the direct run alone and ``DirectComparison`` refines the verdict (rule 4: both ways →
/// application, front only → infrastructure, an application close only through the front → integration).
///
/// Adding a rule: write a small `struct SomethingRule: ClassificationRule` in `Rules/` that returns a
/// verdict only when its observations are present (with the numbers in its evidence, and a one-line
/// summary that says what to do), test it alone on fixture transcripts including the near-misses it
/// must not claim, then insert it in ``rules`` at the layer it belongs to and list it above.
public enum FailureClassifier {
    /// The rules in priority order (see the type's documentation).
    static let rules: [any ClassificationRule] = [
        InterruptionRule(), ProxyRule(), NetworkFailureRule(), TLSFailureRule(), UpgradeTimeoutRule(), AuthChannelRule(),
        HandshakeStatusRule(),
        ContractMismatchRule(), HandshakeValidityRule(), ClientKeepaliveRule(), PeerProtocolViolationRule(), FleetRule(),
        SocketIONamespaceRule(), HTTP2StreamEndRule(), UnrequestedCloseRule(), ReceivedCloseRule(),
        BareTransportEndRule(), MissingEventsRule(), TimeoutDiscoveryRule(), HTTP2ExtendedConnectRule(), PingFloodRule(),
        UnexplainedStepRule(),
        UnexplainedFleetEndsRule(), HealthyRule(),
    ]

    /// Classifies one probe's observations with the default thresholds.
    public static func classify(_ input: ClassificationInput) -> Verdict {
        classify(input, thresholds: ClassifierThresholds())
    }

    /// Classifies one probe's observations.
    ///
    /// - Parameter thresholds: the timing windows (default: ``ClassifierThresholds``' defaults).
    public static func classify(_ input: ClassificationInput, thresholds: ClassifierThresholds) -> Verdict {
        let verdict = judge(input, thresholds: thresholds)
        // A run that went direct too has nothing to gain from "compare with the backend direct".
        guard input.direct != nil else { return verdict }
        var answered = verdict
        answered.next.removeAll { $0.action == .compareDirect }
        return answered
    }

    private static func judge(_ input: ClassificationInput, thresholds: ClassifierThresholds) -> Verdict {
        let context = ClassificationContext(input: input, thresholds: thresholds)
        guard let (rule, verdict) = firstVerdict(context) else { return fallback(context) }
        guard !rule.comparesPaths, let direct = input.direct else { return verdict }
        let directContext = ClassificationContext.alone(
            direct: direct, steps: input.directSteps ?? [], expectations: input.expectations, thresholds: thresholds)
        let directVerdict = firstVerdict(directContext)?.1 ?? fallback(directContext)
        return DirectComparison.refine(verdict, direct: directVerdict, context: context)
    }

    /// The first rule that gives a verdict, and its verdict.
    static func firstVerdict(_ context: ClassificationContext) -> (any ClassificationRule, Verdict)? {
        for rule in rules {
            if let verdict = rule.evaluate(context) { return (rule, verdict) }
        }
        return nil
    }

    /// What is said when no rule applies.
    static func fallback(_ context: ClassificationContext) -> Verdict {
        let t = context.transcript
        let end = t.close.effectiveCode.map { "effective close code \($0)" } ?? "no close"
        return Verdict(
            cause: .inconclusive, confidence: Confidence.nothing,
            summary: "No known signature fits these observations: read the evidence, the server and proxy logs",
            evidence: [
                Evidence(
                    rule: RuleName.closeFrame,
                    observation: "opened: \(context.facts.opened); transport end: \(t.close.transportEnd.rawValue); \(end)")
            ],
            next: [.compareDirect()])
    }
}
