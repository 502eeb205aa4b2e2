/// Default idle timeouts and connection-age caps of common fronts and servers, so a measured limit can
/// name its likely owner (docs/FAILURE_SIGNATURES.md, "Known limits").
///
/// Evidence only: a measured value that matches a product's default is a lead, never proof — the
/// verdict's cause comes from the timing rules, and every entry names the document it comes from.
public enum KnownLimits {
    /// Whether a limit cuts silent connections or connections of a given age.
    public enum Kind: String, Sendable {
        case idle
        case lifetime
    }

    /// One documented default.
    public struct Limit: Sendable {
        public let seconds: Int
        public let kind: Kind
        /// Who enforces it (`AWS Network Load Balancer`).
        public let owner: String
        /// Where the value is documented.
        public let source: String
    }

    /// The table, by kind and duration.
    public static let all: [Limit] = [
        // Idle (no data either way for N s).
        Limit(seconds: 55, kind: .idle, owner: "the Heroku router", source: "Heroku Dev Center, WebSockets: 55 s idle window"),
        Limit(seconds: 60, kind: .idle, owner: "nginx proxy_read_timeout (default)", source: "nginx ngx_http_proxy_module docs"),
        Limit(
            seconds: 60, kind: .idle, owner: "the AWS Application Load Balancer idle timeout (default)",
            source: "AWS ELB docs, ALB attributes"),
        Limit(seconds: 100, kind: .idle, owner: "Cloudflare's proxy", source: "Cloudflare docs, connection limits (100 s)"),
        Limit(
            seconds: 270, kind: .idle, owner: "Cloudflare Zero Trust (Gateway/Access)", source: "Cloudflare Zero Trust docs, TCP idle 270 s"
        ),
        Limit(seconds: 300, kind: .idle, owner: "Envoy/Istio stream_idle_timeout (default)", source: "Envoy docs, timeouts FAQ (5 min)"),
        Limit(seconds: 300, kind: .idle, owner: "Azure Front Door", source: "Azure Front Door docs (5 min)"),
        Limit(
            seconds: 350, kind: .idle, owner: "the AWS Network Load Balancer (TCP idle)",
            source: "AWS NLB docs, connection idle timeout 350 s"),
        Limit(
            seconds: 600, kind: .idle, owner: "AWS API Gateway WebSocket APIs",
            source: "AWS API Gateway quotas: idle connection timeout 10 min"),
        Limit(seconds: 900, kind: .idle, owner: "Railway's proxy", source: "Railway docs, public networking limits (15 min)"),
        // Lifetime (N s after connect, whatever the traffic).
        Limit(
            seconds: 30, kind: .lifetime, owner: "the GCP external Application Load Balancer backend service timeout (default)",
            source: "GCP load balancing docs, backend service timeout"),
        Limit(
            seconds: 300, kind: .lifetime, owner: "the Cloud Run request timeout (default)",
            source: "Cloud Run docs, request timeout; WebSockets"),
        Limit(seconds: 3600, kind: .lifetime, owner: "the Cloud Run request timeout (maximum)", source: "Cloud Run docs, request timeout"),
        Limit(
            seconds: 7200, kind: .lifetime, owner: "AWS API Gateway WebSocket APIs (connection duration)",
            source: "AWS API Gateway quotas: 2 h"),
        Limit(
            seconds: 86400, kind: .lifetime, owner: "Daphne's websocket_timeout (default, closes 1000)",
            source: "daphne/server.py, websocket_timeout=86400"),
    ]

    /// The documented limits of `kind` that a measured `ms` matches (within 1 s or 3 %).
    public static func matching(_ ms: Double, kind: Kind) -> [Limit] {
        all.filter { $0.kind == kind && abs(Double($0.seconds) * 1000 - ms) <= max(1000, 0.03 * ms) }
    }

    /// Evidence naming the owners of a matching idle limit, or none.
    static func evidence(idleMs: Double) -> [Evidence] { evidence(idleMs, kind: .idle) }
    /// Evidence naming the owners of a matching lifetime cap, or none.
    static func evidence(lifetimeMs: Double) -> [Evidence] { evidence(lifetimeMs, kind: .lifetime) }

    private static func evidence(_ ms: Double, kind: Kind) -> [Evidence] {
        let found = matching(ms, kind: kind)
        guard !found.isEmpty else { return [] }
        let names = found.map { "\($0.owner), \($0.seconds) s (\($0.source))" }.joined(separator: "; ")
        return [
            Evidence(
                rule: RuleName.knownLimit, observation: "\(Describe.seconds(ms)) matches a documented \(kind.rawValue) limit: \(names)")
        ]
    }
}
