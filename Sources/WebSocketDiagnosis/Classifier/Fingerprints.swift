import Foundation

/// Reason strings, response bodies, server headers and statuses that fingerprint the component
/// that produced them (FAILURE_SIGNATURES rule 7).
///
/// Matching is case-insensitive and on fragments, never on one library's exact text: reason texts
/// differ per library (1009 has half a dozen wordings), so each fingerprint lists the fragments seen
/// across the servers named in FAILURE_SIGNATURES.md.
public struct Fingerprints: Sendable {
    // MARK: - Close reasons

    /// Fragments of a server keepalive giving up (`keepalive ping timeout` from Python
    /// `websockets`/uvicorn; `ping timeout`, `pong timeout`, `heartbeat` elsewhere).
    public static let keepaliveReasonFragments = [
        "keepalive", "keep-alive", "ping timeout", "pong timeout", "heartbeat", "ping timed out", "pong not received",
    ]
    /// Fragments of a readiness guard (`Service not ready`, `starting up`, `warming up`).
    public static let notReadyReasonFragments = [
        // Not "unavailable": nginx's and ALB's own 503 page says "Service Temporarily Unavailable", and an app's
        // "database unavailable" 1011 is an internal error, not a readiness guard.
        "not ready", "not yet ready", "starting up", "warming up", "initializing", "initialising",
    ]
    /// Fragments of an edge proxy restarting (`CloudFlare WebSocket proxy restarting`).
    public static let edgeRestartReasonFragments = [
        "proxy restarting", "proxy restart", "cloudflare", "edge restart", "proxy shutting down", "proxy is shutting down",
    ]
    /// Fragments of an authentication or authorization failure in a close reason (apps that wrongly use 1011).
    public static let authReasonFragments = [
        "unauthorized", "unauthorised", "forbidden", "authentication", "invalid token", "token expired", "expired token", "invalid jwt",
        "jwt", "not authenticated", "auth failed", "permission denied",
    ]

    /// Whether a close reason says the server's keepalive gave up.
    public static func isKeepaliveTimeout(reason: String) -> Bool { contains(reason, keepaliveReasonFragments) }
    /// Whether a close reason says the service is not ready yet (or any more).
    public static func isNotReady(reason: String) -> Bool { contains(reason, notReadyReasonFragments) }
    /// Whether a close reason says an edge proxy is restarting.
    public static func isEdgeRestart(reason: String) -> Bool { contains(reason, edgeRestartReasonFragments) }
    /// Whether a close reason is about authentication.
    public static func isAuthFailure(reason: String) -> Bool { contains(reason, authReasonFragments) }

    /// Whether a 1008 reason is a validation error list (FastAPI/pydantic: `[{"loc": …, "msg": …}]`).
    public static func isValidationErrorList(reason: String) -> Bool {
        let t = reason.trimmingCharacters(in: .whitespaces)
        guard t.hasPrefix("[") || t.hasPrefix("{") else { return false }
        let l = t.lowercased()
        return l.contains("\"msg\"") || l.contains("\"loc\"") || l.contains("validation")
    }

    // MARK: - Handshake statuses and bodies

    /// Statuses a backend gives when it sees plain HTTP on its WebSocket route: 404 (Starlette routes),
    /// 426 (Python `websockets`, node `ws`), 400 (gorilla); 200 when a plain route answers; 505 (Python
    /// `websockets` ≥ 14 when the front downgraded the request to HTTP/1.0, as nginx does by default).
    public static let plainHTTPStatuses: Set<Int> = [200, 400, 404, 426, 505]
    /// Statuses only a proxy or load balancer produces (it cannot reach or wait for the upstream):
    /// 502, 504, and Cloudflare's 520–527 and 530.
    public static let frontOnlyStatuses: Set<Int> = [502, 504, 520, 521, 522, 523, 524, 525, 526, 527, 530]
    /// Body fragments that say the request was not a WebSocket upgrade (the backend saw plain HTTP).
    public static let upgradeRequiredBodyFragments = [
        "upgrade required", "not using the websocket protocol", "'upgrade' token not found", "missing connection header",
        "invalid connection header", "missing upgrade header", "invalid upgrade header", "can \"upgrade\" only to",
        "expected websocket", "you cannot access a websocket server directly", "unsupported http version: http/1.0",
    ]
    /// Server header fragments of proxies, load balancers and CDNs (a front, not an app server).
    public static let proxyServerFragments = [
        "cloudflare", "awselb", "nginx", "envoy", "haproxy", "google frontend", "gfe", "akamai", "cloudfront",
        "varnish", "azure", "application-gateway", "traefik", "caddy", "istio",
    ]
    /// Body fragments of a web application firewall or edge block page.
    public static let firewallBodyFragments = [
        "request blocked", "access denied", "attention required", "web application firewall", "waf", "blocked by",
        "request could not be satisfied", "forbidden by policy", "security policy",
    ]
    /// TLS error texts of a plaintext peer answering a ClientHello (`wrong version number`).
    public static let plaintextPortTLSFragments = [
        "wrong version number", "wrong_version_number", "unknown protocol", "packet length too long", "http request",
    ]

    /// Whether a rejected upgrade's body says the request was not a WebSocket upgrade.
    public static func saysUpgradeRequired(body: String?) -> Bool { contains(body ?? "", upgradeRequiredBodyFragments) }
    /// Whether a `Server` header names a proxy, load balancer or CDN.
    public static func isProxyServer(_ server: String?) -> Bool { contains(server ?? "", proxyServerFragments) }
    /// Whether a body looks like a firewall or edge block page.
    public static func looksLikeFirewallBlock(body: String?) -> Bool { contains(body ?? "", firewallBodyFragments) }
    /// Whether a TLS failure detail says the peer answered in plaintext.
    public static func isPlaintextPeer(tlsDetail: String?) -> Bool { contains(tlsDetail ?? "", plaintextPortTLSFragments) }
    /// Whether a 500 body is the bare framework default (uvicorn: 21 bytes `Internal Server Error`).
    public static func isBareInternalServerError(body: String?) -> Bool {
        body?.trimmingCharacters(in: .whitespacesAndNewlines).caseInsensitiveCompare("Internal Server Error") == .orderedSame
    }

    private static func contains(_ text: String, _ fragments: [String]) -> Bool {
        let l = text.lowercased()
        return !l.isEmpty && fragments.contains { l.contains($0) }
    }
}
