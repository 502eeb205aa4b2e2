/// The main attempt was healthy, but most of a fleet (`--connections N`) ended during its hold in a way
/// ``FleetRule`` cannot name (no one instant, no one age, no one failing part): say so rather than call the
/// path healthy.
///
/// Six connections that each ended early are a finding even when no signature fits: ends at ages that differ
/// by a few hundred milliseconds on a loaded client, or a mix of close codes, must not read as "healthy".
/// Only when at least half of the fleet that opened ended (and at least ``FleetRule/minimumCluster``, or every
/// one when fewer opened); a fleet with a stray end stays with the other rules.
struct UnexplainedFleetEndsRule: ClassificationRule {
    /// The fleet is judged only through the front, as ``FleetRule`` judges it.
    var comparesPaths: Bool { true }

    func evaluate(_ context: ClassificationContext) -> Verdict? {
        guard let fleet = context.fleet, fleet.opened >= 2 else { return nil }
        let ended = fleet.connections.filter { $0.outcome == .ended }
        guard ended.count * 2 >= fleet.opened, ended.count >= min(FleetRule.minimumCluster, fleet.opened) else { return nil }
        var counts: [FleetEndSignature: Int] = [:]
        for c in ended { counts[c.signature, default: 0] += 1 }
        let kinds = counts.sorted { $0.value != $1.value ? $0.value > $1.value : $0.key < $1.key }
            .map { "\($0.value) × \($0.key)" }.joined(separator: ", ")
        var evidence = [
            Evidence(
                rule: RuleName.fleetFraction,
                observation:
                    "\(ended.count) of \(fleet.opened) connections held in parallel ended before the \(Describe.ms(fleet.holdMs)) hold was over: \(kinds)"
            )
        ]
        let (ages, from) = ended.endAgesWithBasis
        let ends = ended.compactMap(\.endedAtMs)
        if let youngest = ages.min(), let oldest = ages.max(), let first = ends.min(), let last = ends.max() {
            evidence.append(
                Evidence(
                    rule: RuleName.clusteredEnds,
                    observation:
                        "they ended \(Describe.ms(youngest))–\(Describe.ms(oldest)) after their \(from), \(Describe.ms(first))–\(Describe.ms(last)) into the fleet: neither one instant (an event) nor one age (a cap) within \(Describe.ms(FleetRule.ageMargin(context.thresholds)))"
                ))
        }
        return Verdict(
            cause: .inconclusive, confidence: Confidence.lead,
            summary:
                "The main connection was healthy, but \(ended.count) of \(fleet.opened) connections held in parallel ended early and no known pattern explains them: read the fleet's connections in the report, rerun with a longer hold, and compare with the backend direct",
            evidence: evidence, next: [.compareDirect()])
    }
}
