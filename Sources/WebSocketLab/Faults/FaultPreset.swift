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
    /// ingress-nginx: `proxy-read-timeout` 60 s (silence from the backend ends the connection, no close frame);
    /// with `reload=D`, a reload now whose old workers cut every open connection after the
    /// `worker-shutdown-timeout` D (240 s by default in ingress-nginx), while new connections are served.
    /// Source: https://kubernetes.github.io/ingress-nginx/user-guide/nginx-configuration/configmap/
    /// (`proxy-read-timeout`, `worker-shutdown-timeout`); reported: kubernetes/ingress-nginx#2647, #8977.
    case ingressNginx = "ingress-nginx"
    /// Envoy (and Istio's sidecars and gateways): `stream_idle_timeout` 5 min in both directions; with
    /// `max-duration=D`, `max_connection_duration`/`max_stream_duration` as a lifetime cap (unset by default).
    /// Source: https://www.envoyproxy.io/docs/envoy/latest/faq/configuration/timeouts
    case envoy
    /// AWS API Gateway WebSocket APIs: 10 min idle timeout, 2 h connection duration, and a close 1009 to a
    /// client that sends a frame over 32 KB.
    /// Source: https://docs.aws.amazon.com/apigateway/latest/developerguide/limits.html ("Idle Connection
    /// Timeout", "Connection duration for WebSocket API", "WebSocket frame size").
    case awsAPIGateway = "aws-api-gateway"
    /// Azure Application Gateway: the backend setting's request timeout (20 s by default) ends a WebSocket that
    /// long after it was opened, whatever the traffic — a lifetime cap.
    /// Source: https://learn.microsoft.com/en-us/azure/application-gateway/configuration-http-settings
    /// ("Request timeout"); reported: MicrosoftDocs/azure-docs#49622.
    case azureAppGateway = "azure-app-gateway"
    /// Traefik (2.11.1, 3.0 and later): the entry point's `respondingTimeouts.readTimeout`, 60 s by default,
    /// ends a WebSocket 60 s after connect, whatever the traffic — a lifetime cap.
    /// Source: https://doc.traefik.io/traefik/routing/entrypoints/#respondingtimeouts ; reported: traefik/traefik#10598.
    case traefik
    /// Cloudflare's proxy: 100 s idle timeout in both directions; with `restart-after=D`, the edge restarting D
    /// after the upgrade, closing with 1001 "CloudFlare WebSocket proxy restarting".
    /// Source: https://developers.cloudflare.com/fundamentals/reference/connection-limits/ (100 s) and
    /// https://developers.cloudflare.com/network/websockets/ (connections end when the edge restarts).
    case cloudflare

    /// Parameters each preset takes.
    public var parameters: [String] {
        switch self {
        case .cloudRun: ["timeout", "max", "coldstart", "drain-after", "drain-mode"]
        case .gcpLB, .nginxDefault, .awsALB, .azureAppGateway, .traefik: ["timeout"]
        case .ingressNginx: ["timeout", "reload"]
        case .envoy: ["idle", "max-duration"]
        case .awsAPIGateway: ["idle", "cap", "frame"]
        case .cloudflare: ["idle", "restart-after"]
        }
    }

    /// One line for help texts.
    public var summary: String {
        switch self {
        case .cloudRun: "Cloud Run: lifetime cap (300s), 429 above max (80), cold start, drain on scale-in"
        case .gcpLB: "GCP load balancer: backend-service timeout as a lifetime cap (30s)"
        case .nginxDefault: "nginx: 60s proxy_read_timeout (idle from the backend)"
        case .awsALB: "AWS ALB: 60s idle timeout"
        case .ingressNginx: "ingress-nginx: 60s proxy-read-timeout; reload=D cuts every connection after worker-shutdown-timeout D"
        case .envoy: "Envoy/Istio: 5min stream_idle_timeout; max-duration=D caps the connection"
        case .awsAPIGateway: "AWS API Gateway: 10min idle, 2h cap, close 1009 on a frame over 32KB"
        case .azureAppGateway: "Azure Application Gateway: request timeout (20s) as a lifetime cap"
        case .traefik: "Traefik: 60s entry-point readTimeout as a lifetime cap"
        case .cloudflare: "Cloudflare: 100s idle timeout; restart-after=D closes 1001 (edge restart)"
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
        case .ingressNginx:
            let timeout = try spec.duration("timeout", default: .seconds(60))
            var specs = [FaultSpec(name: "idle-timeout", parameters: ["after": Self.text(timeout), "direction": "downstream"])]
            if spec.parameters["reload"] != nil {
                specs.append(FaultSpec(name: "reload", parameters: ["after": Self.text(try spec.duration("reload")), "mode": "fin"]))
            }
            return specs
        case .envoy:
            let idle = try spec.duration("idle", default: .seconds(300))
            var specs = [FaultSpec(name: "idle-timeout", parameters: ["after": Self.text(idle)])]
            if spec.parameters["max-duration"] != nil {
                specs.append(FaultSpec(name: "lifetime-cap", parameters: ["after": Self.text(try spec.duration("max-duration"))]))
            }
            return specs
        case .awsAPIGateway:
            let idle = try spec.duration("idle", default: .seconds(600))
            let cap = try spec.duration("cap", default: .seconds(7200))
            let frame = try spec.int("frame", default: 32 * 1024, in: 0...Int(Int32.max))
            return [
                FaultSpec(name: "idle-timeout", parameters: ["after": Self.text(idle)]),
                FaultSpec(name: "lifetime-cap", parameters: ["after": Self.text(cap)]),
                FaultSpec(name: "frame-limit", parameters: ["bytes": String(frame), "code": "1009"]),
            ]
        case .azureAppGateway:
            let timeout = try spec.duration("timeout", default: .seconds(20))
            return [FaultSpec(name: "lifetime-cap", parameters: ["after": Self.text(timeout)])]
        case .traefik:
            let timeout = try spec.duration("timeout", default: .seconds(60))
            return [FaultSpec(name: "lifetime-cap", parameters: ["after": Self.text(timeout)])]
        case .cloudflare:
            let idle = try spec.duration("idle", default: .seconds(100))
            var specs = [FaultSpec(name: "idle-timeout", parameters: ["after": Self.text(idle)])]
            if spec.parameters["restart-after"] != nil {
                specs.append(
                    FaultSpec(
                        name: "inject-close",
                        parameters: [
                            "code": "1001", "reason": Self.cloudflareRestartReason, "after": Self.text(try spec.duration("restart-after")),
                        ]))
            }
            return specs
        }
    }

    /// The reason Cloudflare's edge closes with when it restarts (docs/FAILURE_SIGNATURES.md).
    public static let cloudflareRestartReason = "CloudFlare WebSocket proxy restarting"

    /// A duration as exact milliseconds (`2500ms`), so nothing is rounded on the way.
    private static func text(_ duration: Duration) -> String {
        "\(Int64(duration.milliseconds.rounded()))ms"
    }
}
