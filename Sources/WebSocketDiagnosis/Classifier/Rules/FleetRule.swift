import WebSocketWire

/// Many connections held in parallel (`--connections N`) and what ended them: one event, not N bugs
/// (docs/FAILURE_SIGNATURES.md rule 8).
///
/// In this order:
/// 1. a cluster — at least ``minimumCluster`` connections (or every connection that opened, when fewer)
///    ended within the fleet's window, at clearly different ages (the ages spread more than the ends,
///    by ``ageMargin(_:)``: the same instant, not the same age, which would be a cap):
///    - close frames 1001/1012 → ``CauseID/applicationRestart``: a server library's graceful shutdown
///      (Python `websockets` 1001, uvicorn 1012) on every connection at once is a deploy or a scale-in;
///    - bare ends, and the new upgrades made right after were refused (an error status or no answer) →
///      ``CauseID/applicationRestart`` too: the instances went away and had not come back;
///    - bare ends, and new upgrades opened (or none was tried) → ``CauseID/reloadDrain``: a proxy reload or
///      drain (ingress-nginx after `worker-shutdown-timeout`, Envoy/Istio on a config push, Traefik,
///      Caddy) cuts every connection it holds and serves new ones at once; the pings did not keep them;
/// 2. most of the fleet ended one same way at one same age but at different instants → a cap on age, not an
///    event: ``CauseID/lifetimeCap`` for bare ends under pings, ``CauseID/applicationConnectionCap`` for close frames;
/// 3. no cluster, and a part of the fleet failed one same way while at least as many connections lived
///    the whole hold → ``CauseID/badInstance``: one instance behind the balancer is bad; when the front named
///    the instance on every answer (``FleetConnection/instance``) and every failure came from one, the verdict
///    names it.
///
/// A close 1001/1012 is the application's own graceful shutdown, so the clustered deploy is the existing
/// application restart with the cluster as its evidence, not a new infrastructure cause: the fix (drain
/// on SIGTERM, reconnect with backoff) is the application's.
struct FleetRule: ClassificationRule {
    /// The fleet is judged only through the front; the direct comparison has nothing to add.
    var comparesPaths: Bool { true }

    /// How many ends make a cluster (fewer are enough when they are every connection that opened, two at least).
    static let minimumCluster = 3
    /// How much more the ages must spread than the ends for "the same instant at different ages", and the
    /// least spread that still counts as "one age": the measurement tolerance (250 ms by default).
    static func ageMargin(_ th: ClassifierThresholds) -> Double { th.measurementTolerance.milliseconds }

    func evaluate(_ context: ClassificationContext) -> Verdict? {
        guard let fleet = context.fleet, fleet.opened >= 2 else { return nil }
        // A cluster of another kind (1011s at one instant) is not claimed here: the other readings still apply.
        let th = context.thresholds
        if let cluster = fleet.clusters.first(where: { isEvent($0, fleet: fleet, thresholds: th) }),
            let verdict = clustered(cluster, fleet: fleet)
        {
            return verdict
        }
        return sameAge(fleet, thresholds: th) ?? badInstance(fleet)
    }

    // MARK: - A cap on age

    /// Most of the fleet ended one same way at one same age, at different instants: a cap, not an event.
    private func sameAge(_ fleet: FleetObservation, thresholds th: ClassifierThresholds) -> Verdict? {
        let ended = fleet.connections.filter { $0.outcome == .ended && $0.ageMs != nil }
        guard ended.count >= max(Self.minimumCluster, (fleet.opened + 1) / 2), let signature = ended.first?.signature,
            ended.allSatisfy({ $0.signature == signature })
        else { return nil }
        let (ages, from) = ended.endAgesWithBasis
        let ends = ended.compactMap(\.endedAtMs)
        let ageSpread = ages.max()! - ages.min()!
        let endSpread = ends.max()! - ends.min()!
        let median = ages.sorted()[ages.count / 2]
        // The same age within the measurement's noise: 250 ms or 5 % of the age (the measurement tolerances). (A
        // tolerance that grew with the ends' spread would call ages drifting by a second "one cap", with strong confidence.)
        let margin = Self.ageMargin(th)
        guard ageSpread <= max(margin, th.measurementRelativeTolerance * median), endSpread >= ageSpread + margin else { return nil }
        let evidence = [
            Evidence(
                rule: RuleName.clusteredEnds,
                observation:
                    "\(ended.count) of \(fleet.opened) connections ended the same way (\(signature)) at the same age, \(Describe.ms(ages.min()!))–\(Describe.ms(ages.max()!)) after their \(from), spread over \(Describe.ms(endSpread)): a cap on age, not one event"
            ),
            Evidence(
                rule: RuleName.pingsVersusNoPings,
                observation: fleet.pingIntervalMs.map { "every connection carried a ping every \(Describe.ms($0))" }
                    ?? "the connections were silent"),
        ]
        if signature == .bareEnd, fleet.pingIntervalMs != nil {
            return Verdict(
                cause: .lifetimeCap, confidence: Confidence.strong,
                summary:
                    "Every connection is cut with no close frame \(Describe.seconds(median)) after its \(from), pings or not: a cap on connection age in the front — raise it, or reconnect before it",
                evidence: evidence)
        }
        guard signature.isCloseFrame else { return nil }
        return Verdict(
            cause: .applicationConnectionCap, confidence: Confidence.likely,
            summary:
                "The server closes every connection (\(signature)) \(Describe.seconds(median)) after its \(from): its own cap on connection age — raise it, or reconnect before it",
            evidence: evidence)
    }

    /// Whether a cluster is large enough and at different ages.
    func isEvent(_ c: FleetCluster, fleet: FleetObservation, thresholds th: ClassifierThresholds) -> Bool {
        let large = c.count >= Self.minimumCluster || (c.count >= 2 && c.count == fleet.opened)
        return large && c.ageSpreadMs >= c.endSpreadMs + Self.ageMargin(th)
    }

    // MARK: - One event

    private func clustered(_ c: FleetCluster, fleet: FleetObservation) -> Verdict? {
        let members = fleet.connections.filter {
            $0.outcome == .ended && ($0.endedAtMs ?? -1) >= c.fromMs && ($0.endedAtMs ?? .infinity) <= c.toMs
        }
        let from = Describe.seconds(c.fromMs), to = Describe.seconds(c.toMs)
        let when = from == to ? "at \(from)" : "at \(from)–\(to)"
        let window = Evidence(
            rule: RuleName.clusteredEnds,
            observation:
                "\(c.count) of \(fleet.opened) open connections ended within \(Describe.ms(c.endSpreadMs)) (\(when) into the fleet), \(c.signatureCount) of them the same way: \(c.signature)"
        )
        let ages = Evidence(
            rule: RuleName.clusteredEnds,
            observation:
                "their ages at the end ranged from \(Describe.ms(c.youngestAgeMs)) to \(Describe.ms(c.oldestAgeMs)): the same instant at different ages is one event, not a cap on age"
        )
        let pings = Evidence(
            rule: RuleName.pingsVersusNoPings,
            observation: fleet.pingIntervalMs.map { "every connection carried a ping every \(Describe.ms($0)): traffic did not keep them" }
                ?? "the connections were silent")
        let reopened = members.filter { $0.reopenStatus == 101 }.count
        let refused = members.filter(\.reopenRefused)
        let reopenEvidence: Evidence? = {
            let tried = reopened + refused.count
            guard tried > 0 else { return nil }
            var answers: [String: Int] = [:]
            for m in refused {
                answers[m.reopenStatus.map { "HTTP \($0)" } ?? "no answer (\(m.reopenFailure ?? "unknown"))", default: 0] += 1
            }
            let refusedText = answers.sorted { $0.key < $1.key }.map { "\($0.value) × \($0.key)" }.joined(separator: ", ")
            return Evidence(
                rule: RuleName.clusteredEnds,
                observation: "new upgrades right after the ends: \(reopened) of \(tried) opened"
                    + (refused.isEmpty ? "" : "; refused: \(refusedText)"))
        }()
        let gracefulCodes: Set<CloseCode> = [.goingAway, .serviceRestart]
        var evidence = [window, ages, pings]
        if let reopenEvidence { evidence.append(reopenEvidence) }
        let share = Double(c.signatureCount) / Double(c.count)
        if let code = c.signature.closeCode, gracefulCodes.contains(code), share >= 0.5 {
            return Verdict(
                cause: .applicationRestart, confidence: refused.isEmpty ? Confidence.strong : Confidence.characteristic,
                summary:
                    "A deploy or scale-in: \(c.count) connections were closed at once with \(code.rawValue) (a graceful shutdown)\(refused.isEmpty ? "" : ", and new upgrades were refused") — drain connections before stopping instances, and reconnect with jittered backoff",
                evidence: evidence)
        }
        guard c.signature == .bareEnd, share >= 0.5 else { return nil }
        if refused.count > reopened {
            return Verdict(
                cause: .applicationRestart, confidence: Confidence.probable,
                summary:
                    "A restart: \(c.count) connections ended at once with no close frame and new upgrades were refused — the instances went away (a deploy, a scale-in or a crash): drain gracefully on SIGTERM and reconnect with backoff",
                evidence: evidence)
        }
        return Verdict(
            cause: .reloadDrain, confidence: fleet.pingIntervalMs == nil ? Confidence.plausible : Confidence.strong,
            summary:
                "A proxy reload or drain: \(c.count) connections were cut at once with no close frame\(reopened > 0 ? " while new ones opened" : "") — a config reload in the front (ingress-nginx worker-shutdown-timeout, Envoy/Istio drain, Traefik, Caddy) drops every connection it holds: make reloads rarer, lengthen the drain, and reconnect with jittered backoff",
            evidence: evidence)
    }

    // MARK: - One bad instance

    private func badInstance(_ fleet: FleetObservation) -> Verdict? {
        let failed = fleet.connections.filter { $0.outcome == .ended || $0.outcome == .notOpened }
        let healthy = fleet.connections.filter { $0.outcome == .held }
        guard failed.count >= 2, healthy.count >= failed.count, let signature = failed.first?.signature,
            failed.allSatisfy({ $0.signature == signature })
        else { return nil }
        let total = failed.count + healthy.count
        let percent = Int((Double(failed.count) / Double(total) * 100).rounded())
        var evidence = [
            Evidence(
                rule: RuleName.fleetFraction,
                observation:
                    "\(failed.count) of \(total) connections (\(percent) %) failed the same way: \(signature); the other \(healthy.count) lived the whole hold of \(Describe.seconds(fleet.holdMs))"
            )
        ]
        let ages = failed.compactMap(\.ageMs)
        if let low = ages.min(), let high = ages.max() {
            evidence.append(
                Evidence(
                    rule: RuleName.fleetFraction,
                    observation: "the failed connections were \(Describe.ms(low))–\(Describe.ms(high)) old when they ended"))
        }
        if let named = oneInstance(failed, fleet: fleet) {
            evidence.insert(named.evidence, at: 0)
            return Verdict(
                cause: .badInstance, confidence: Confidence.likely,
                summary:
                    "One bad instance, \(named.name): \(failed.count) of \(total) connections failed the same way (\(signature)), every one served by it, while the other instances stayed healthy — take \(named.name) out of the pool and read its logs and health check",
                evidence: evidence)
        }
        return Verdict(
            cause: .badInstance, confidence: Confidence.plausible,
            summary:
                "One bad instance: \(failed.count) of \(total) connections failed the same way (\(signature)) while the rest stayed healthy — find the instance that serves them (its logs, its health check) and take it out of the pool",
            evidence: evidence)
    }

    /// The instance every failure came from, when the front named it on each and named at least one other
    /// instance: its name and the evidence (`all 2 failures came from instance-1; instance-0 and instance-2 held 4 of 4`).
    private func oneInstance(_ failed: [FleetConnection], fleet: FleetObservation) -> (name: String, evidence: Evidence)? {
        guard let name = failed.first?.instance, failed.allSatisfy({ $0.instance == name }) else { return nil }
        let others = (fleet.instances ?? []).filter { $0.name != name }
        guard !others.isEmpty else { return nil }
        let names: String
        if others.count == 1 {
            names = others[0].name
        } else if others.count <= 3 {
            names = others.dropLast().map(\.name).joined(separator: ", ") + " and " + others.last!.name
        } else {
            names = "the other \(others.count) instances"
        }
        let held = others.map(\.held).reduce(0, +)
        let served = others.map(\.connections).reduce(0, +)
        return (
            name,
            Evidence(
                rule: RuleName.fleetFraction,
                observation: "all \(failed.count) failures came from \(name); \(names) held \(held) of \(served)")
        )
    }
}
