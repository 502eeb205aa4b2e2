import WebSocketProbe

/// Named fronts composed of faults, with their real defaults; each takes parameters too
/// (`cloud-run:timeout=2s`).
public enum FaultPreset: String, Sendable, CaseIterable {
    /// Cloud Run: request timeout as a lifetime cap (default 300 s), HTTP 429 above `max`
    /// concurrent connections (default 80), optional cold-start delay on the first upgrade, and
    /// optional scale-in of instance 0 `drain-after` after start.
    case cloudRun = "cloud-run"
    /// GCP external Application Load Balancer: backend-service timeout as a lifetime cap (30 s).
    case gcpLB = "gcp-lb"
    /// nginx defaults: `proxy_read_timeout` 60 s (silence from the backend).
    case nginxDefault = "nginx-default"
    /// AWS Application Load Balancer: 60 s idle timeout in both directions.
    case awsALB = "aws-alb"

    /// Parameters each preset takes.
    public var parameters: [String] {
        switch self {
        case .cloudRun: ["timeout", "max", "coldstart", "drain-after", "drain-mode"]
        case .gcpLB, .nginxDefault, .awsALB: ["timeout"]
        }
    }

    /// One line for help texts.
    public var summary: String {
        switch self {
        case .cloudRun: "Cloud Run: lifetime cap (300s), 429 above max (80), cold start, drain on scale-in"
        case .gcpLB: "GCP load balancer: backend-service timeout as a lifetime cap (30s)"
        case .nginxDefault: "nginx: 60s proxy_read_timeout (idle from the backend)"
        case .awsALB: "AWS ALB: 60s idle timeout"
        }
    }

    /// `name:k=…,…`.
    public var usage: String { rawValue + ":" + parameters.map { "\($0)=…" }.joined(separator: ",") }

    /// The fault specs this preset stands for.
    public func expand(_ spec: FaultSpec) throws(FaultSpecError) -> [FaultSpec] {
        try spec.rejectUnknownParameters(Set(parameters))
        switch self {
        case .cloudRun:
            let timeout = try spec.duration("timeout", default: .seconds(300))
            let max = try spec.int("max", default: 80, in: 0...Int(Int32.max))
            let coldStart = try spec.duration("coldstart", default: .zero)
            var specs = [
                FaultSpec(name: "lifetime-cap", parameters: ["after": Self.text(timeout)]),
                FaultSpec(name: "capacity", parameters: ["max": String(max)]),
            ]
            if coldStart > .zero {
                specs.append(FaultSpec(name: "delay-upgrade", parameters: ["for": Self.text(coldStart), "count": "1"]))
            }
            if spec.parameters["drain-after"] != nil || spec.parameters["drain-mode"] != nil {
                let after = try spec.duration("drain-after", default: .zero)
                let mode = try spec.string("drain-mode", default: "fin")
                specs.append(FaultSpec(name: "drain-instance", parameters: ["instance": "0", "mode": mode, "after": Self.text(after)]))
            }
            return specs
        case .gcpLB:
            let timeout = try spec.duration("timeout", default: .seconds(30))
            return [FaultSpec(name: "lifetime-cap", parameters: ["after": Self.text(timeout)])]
        case .nginxDefault:
            let timeout = try spec.duration("timeout", default: .seconds(60))
            return [FaultSpec(name: "idle-timeout", parameters: ["after": Self.text(timeout), "direction": "downstream"])]
        case .awsALB:
            let timeout = try spec.duration("timeout", default: .seconds(60))
            return [FaultSpec(name: "idle-timeout", parameters: ["after": Self.text(timeout)])]
        }
    }

    /// A duration as exact milliseconds (`2500ms`), so nothing is rounded on the way.
    private static func text(_ duration: Duration) -> String {
        "\(Int64(duration.milliseconds.rounded()))ms"
    }
}
