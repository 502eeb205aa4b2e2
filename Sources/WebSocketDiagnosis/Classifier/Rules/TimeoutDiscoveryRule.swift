/// The timeout-discovery probes found a limit even though the main attempt did not hit it
/// (FAILURE_SIGNATURES rule 6: an idle timeout goes away with pings, a lifetime cap does not).
///
/// A measured end counts only when that probe's connection ended with no close frame (a close frame
/// is a WebSocket speaker's decision, not a timeout).
struct TimeoutDiscoveryRule: ClassificationRule {
    /// The direct run holds no idle or long-lived connection (measurements run through the front only), so
    /// comparing with it would add confidence it cannot support.
    var comparesPaths: Bool { true }

    func evaluate(_ context: ClassificationContext) -> Verdict? {
        guard let m = context.measurements else { return nil }
        if let cap = m.bareLifetimeMs {
            var evidence = [
                Evidence(
                    rule: RuleName.timingLifetime,
                    observation: "the lifetime probe (a ping every second) ended after \(Describe.ms(cap)) with no close frame")
            ]
            var confidence = 0.8
            if let idle = m.bareIdleTimeoutMs, context.agree(idle, cap) {
                evidence.append(
                    Evidence(
                        rule: RuleName.pingsVersusNoPings,
                        observation: "the silent probe ended after \(Describe.ms(idle)) too: pings made no difference"))
                confidence = 0.9
            }
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
                        observation: "the probe with a ping every second lived its full \(Describe.ms(probe)): pings keep it alive"))
            }
            return Verdict(
                cause: .idleTimeout, confidence: pingsTested ? 0.9 : 0.65,
                summary:
                    "Silent connections are cut after \(Describe.seconds(idle)): send a ping every \(Describe.seconds(idle / 2)) or less, or raise the idle timeout of the proxy/load balancer",
                evidence: evidence)
        }
        return nil
    }
}
