import Foundation
import WebSocketDiagnosis

/// One probe's result in the Prometheus text format (version 0.0.4), under blackbox_exporter's names
/// where they exist and `probe_ws1011_*` for what only ws1011 knows: the layer and cause.
///
/// Every family has HELP and TYPE. Label values are bounded sets (layers, cause ids, phase names, TLS
/// versions): nothing a peer or a target URL controls becomes a label, so no credential can either.
public enum ProbeMetrics {
    /// The metrics of `report`; `duration` is the whole probe's wall time.
    public static func render(_ report: DiagnosisReport, duration: Duration) -> String {
        var out = MetricsText()
        let t = report.transcript
        let healthy = report.verdict.layer == .healthy
        out.gauge("probe_success", "Whether the probe succeeded: the WebSocket path was judged healthy.", healthy ? 1 : 0)
        out.gauge("probe_duration_seconds", "How long the probe took, in seconds.", duration.seconds)
        if let dns = t.timings.dnsMs {
            out.gauge("probe_dns_lookup_time_seconds", "How long the DNS lookup took, in seconds.", dns / 1000)
        }
        out.gauge(
            "probe_websocket_status_code", "The HTTP status of the upgrade response (0 when none arrived).",
            Double(t.handshake?.status ?? 0))
        let upgraded = t.handshake?.status == 101 && t.timings.openAtMs != nil
        out.gauge("probe_websocket_connection_upgraded", "Whether the connection was upgraded to WebSocket.", upgraded ? 1 : 0)
        if let version = t.tls?.protocolVersion {
            out.gauge(
                "probe_tls_version_info", "The TLS version negotiated (a label), always 1.", 1,
                labels: [("version", tlsVersionLabel(version))])
        }
        if let earliest = t.tls?.chain.map(\.notAfter).min() {
            out.gauge(
                "probe_ssl_earliest_cert_expiry", "The earliest expiry of the certificates the server sent, in Unix seconds.",
                earliest.timeIntervalSince1970)
        }
        let phases: [(String, Double?)] = [
            ("dns", t.timings.dnsMs), ("connect", t.timings.tcpMs), ("tls", t.timings.tlsMs),
            ("upgrade", t.timings.upgradeMs),
            ("first_frame", t.timings.firstFrameAtMs.flatMap { f in t.timings.openAtMs.map { max(0, f - $0) } }),
        ]
        out.family("probe_ws1011_phase_duration_seconds", "How long each phase of the connection took, in seconds.", type: "gauge")
        for case let (phase, ms?) in phases { out.sample("probe_ws1011_phase_duration_seconds", ms / 1000, labels: [("phase", phase)]) }
        if let code = t.close.effectiveCode {
            out.gauge("probe_ws1011_close_code", "The close code a browser would report (1006: no close frame).", Double(code))
        }
        out.gauge(
            "probe_ws1011_verdict", "The verdict of the probe: the layer and cause ids, always 1.", 1,
            labels: [("layer", report.verdict.layer.rawValue), ("cause", report.verdict.cause.rawValue)])
        out.gauge("probe_ws1011_confidence", "How sure the verdict is, from 0 to 1.", report.verdict.confidence)
        out.family("probe_ws1011_step_passed", "Each layered step: 1 passed, 0 failed (skipped steps are absent).", type: "gauge")
        for step in report.steps where step.status != .skipped {
            out.sample("probe_ws1011_step_passed", step.status == .passed ? 1 : 0, labels: [("step", step.name.rawValue)])
        }
        if let idle = report.measurements?.idleTimeoutMs {
            out.gauge("probe_ws1011_idle_timeout_seconds", "The idle timeout measured on the path, in seconds.", idle / 1000)
        }
        if let lifetime = report.measurements?.lifetimeMs {
            out.gauge("probe_ws1011_lifetime_seconds", "The lifetime cap measured on the path, in seconds.", lifetime / 1000)
        }
        if let fleet = report.fleet { renderFleet(fleet, into: &out) }
        return out.text
    }

    /// The fleet's series (a module with `connections`): how many connections were asked for, opened, held,
    /// ended, cut by the probe's own bound and refused; the largest cluster of ends and its window; when the
    /// front named its instances, how many it named and how many had a failure. The outcome label is a fixed
    /// set, nothing a peer writes.
    static func renderFleet(_ fleet: FleetObservation, into out: inout MetricsText) {
        out.family(
            "probe_ws1011_fleet_connections", "The fleet's connections by outcome (requested, opened, held, ended, cut, not_opened).",
            type: "gauge")
        let outcomes: [(String, Int)] = [
            ("requested", fleet.requested), ("opened", fleet.opened),
            ("held", fleet.connections.filter { $0.outcome == .held }.count), ("ended", fleet.ended),
            ("cut", fleet.connections.filter { $0.outcome == .cut }.count),
            ("not_opened", fleet.connections.filter { $0.outcome == .notOpened }.count),
        ]
        for (outcome, count) in outcomes { out.sample("probe_ws1011_fleet_connections", Double(count), labels: [("outcome", outcome)]) }
        out.gauge("probe_ws1011_fleet_hold_seconds", "How long the fleet was held, in seconds.", fleet.holdMs / 1000)
        let largest = fleet.clusters.first
        out.gauge(
            "probe_ws1011_fleet_largest_cluster_connections",
            "How many connections ended together in the largest cluster (0: no two ends within the window).", Double(largest?.count ?? 0))
        if let largest {
            out.gauge(
                "probe_ws1011_fleet_largest_cluster_spread_seconds",
                "How far apart the first and last end of the largest cluster were, in seconds.",
                largest.endSpreadMs / 1000)
        }
        let reopened = fleet.connections.filter { $0.outcome == .ended && $0.reopenStatus == 101 }.count
        out.gauge(
            "probe_ws1011_fleet_reopened_connections", "Connections that ended and whose new upgrade right after was accepted (101).",
            Double(reopened))
        // Instance names are the peer's words and unbounded in number: counts only, never a label.
        if let instances = fleet.instances {
            out.gauge(
                "probe_ws1011_fleet_instances", "Backend instances the front named in its answers to the fleet's upgrades.",
                Double(instances.count))
            out.gauge(
                "probe_ws1011_fleet_failing_instances",
                "Named backend instances with at least one fleet connection that ended or never opened.",
                Double(instances.filter { $0.failed > 0 }.count))
        }
    }

    /// `TLSv1.3` → `TLS 1.3` (blackbox_exporter's spelling).
    static func tlsVersionLabel(_ version: String) -> String {
        if version.hasPrefix("TLSv") { return "TLS " + version.dropFirst(4) }
        return version
    }
}

/// Writes the Prometheus text format: HELP and TYPE once per family, escaped label values.
public struct MetricsText: Sendable {
    /// The text so far.
    public private(set) var text = ""
    private var families: Set<String> = []

    /// An empty document.
    public init() {}

    /// Declares a family (HELP and TYPE) once.
    public mutating func family(_ name: String, _ help: String, type: String) {
        guard families.insert(name).inserted else { return }
        text += "# HELP \(name) \(help.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\n", with: "\\n"))\n"
        text += "# TYPE \(name) \(type)\n"
    }

    /// One sample of a declared family.
    public mutating func sample(_ name: String, _ value: Double, labels: [(String, String)] = []) {
        text += name
        if !labels.isEmpty {
            text += "{" + labels.map { "\($0.0)=\"\(Self.escape($0.1))\"" }.joined(separator: ",") + "}"
        }
        text += " " + Self.format(value) + "\n"
    }

    /// A gauge family with one sample.
    public mutating func gauge(_ name: String, _ help: String, _ value: Double, labels: [(String, String)] = []) {
        family(name, help, type: "gauge")
        sample(name, value, labels: labels)
    }

    /// A counter family with one sample per label set.
    public mutating func counter(_ name: String, _ help: String, _ samples: [([(String, String)], Double)]) {
        family(name, help, type: "counter")
        for (labels, value) in samples { sample(name, value, labels: labels) }
    }

    static func escape(_ value: String) -> String {
        value.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"").replacingOccurrences(
            of: "\n", with: "\\n")
    }

    static func format(_ value: Double) -> String {
        if value.isNaN { return "NaN" }
        if value.isInfinite { return value > 0 ? "+Inf" : "-Inf" }
        if value == value.rounded(), abs(value) < 1e15 { return String(Int64(value)) }
        return String(value)
    }
}

extension Duration {
    /// The duration in seconds, as a Double.
    var seconds: Double {
        let (s, atto) = components
        return Double(s) + Double(atto) / 1e18
    }
}
