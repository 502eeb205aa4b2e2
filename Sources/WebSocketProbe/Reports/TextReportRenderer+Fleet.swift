import WebSocketDiagnosis

extension TextReportRenderer {
    /// The fleet of `--connections N`: how many opened and ended, how they ended, and the clusters of ends.
    static func fleet(_ f: FleetObservation) -> String {
        let pings = f.pingIntervalMs.map { ", a ping every \(fmt($0))" } ?? ", silent"
        var text = "Fleet (\(f.requested) connections held \(fmt(f.holdMs))\(pings))\n"
        let count = { (o: FleetConnection.Outcome) in f.connections.filter { $0.outcome == o }.count }
        text += "  opened \(f.opened) of \(f.requested); ended during the hold \(f.ended); held to the end \(count(.held))"
        if count(.notOpened) > 0 { text += "; not opened \(count(.notOpened))" }
        if count(.cut) > 0 { text += "; cut by the stop \(count(.cut))" }
        text += "\n"
        var ways: [FleetEndSignature: Int] = [:]
        for c in f.connections where c.outcome == .ended || c.outcome == .notOpened { ways[c.signature, default: 0] += 1 }
        if !ways.isEmpty {
            text +=
                "  how they failed: "
                + ways.sorted { $0.value == $1.value ? $0.key < $1.key : $0.value > $1.value }
                .map { "\($0.value) × \(safe($0.key.rawValue))" }.joined(separator: ", ") + "\n"
        }
        for c in f.clusters.prefix(3) {
            text +=
                "  cluster: \(c.count) ended within \(fmt(c.endSpreadMs)) at \(fmt(c.fromMs)) (ages \(fmt(c.youngestAgeMs))–\(fmt(c.oldestAgeMs))), \(c.signatureCount) × \(safe(c.signature.rawValue))\n"
        }
        let reopens = f.connections.filter { $0.reopenStatus != nil || $0.reopenFailure != nil }
        if !reopens.isEmpty {
            text += "  new upgrades right after an end: \(reopens.filter { $0.reopenStatus == 101 }.count) of \(reopens.count) opened\n"
        }
        if let instances = f.instances { text += instanceTable(instances) }
        return text
    }

    /// The most instances the table shows; the rest are counted in one line.
    static let maximumInstanceRows = 20

    /// The fleet by the instance the front said served each connection: one row per instance, terminal-safe
    /// names cut to a column.
    static func instanceTable(_ instances: [FleetInstance]) -> String {
        let names = instances.prefix(maximumInstanceRows).map { safe($0.name) }
        let width = min(max(8, names.map(\.count).max() ?? 0), FleetConnection.maximumInstanceLength)
        func pad(_ s: String, _ n: Int) -> String { s.count >= n ? s : s + String(repeating: " ", count: n - s.count) }
        func num(_ v: Int, _ n: Int) -> String { let s = String(v); return String(repeating: " ", count: max(0, n - s.count)) + s }
        var text = "  by instance (as the front named it):\n"
        text += "    \(pad("instance", width))  served  opened  held  ended  not opened  commonest failure\n"
        for (i, name) in zip(instances, names) {
            let failure = i.failure.map { "\(i.failureCount) × \(safe($0.rawValue))" } ?? "-"
            text +=
                "    \(pad(name, width))  \(num(i.connections, 6))  \(num(i.opened, 6))  \(num(i.held, 4))  \(num(i.ended, 5))  \(num(i.notOpened, 10))  \(failure)\n"
        }
        if instances.count > maximumInstanceRows { text += "    … and \(instances.count - maximumInstanceRows) more instances\n" }
        return text
    }
}
