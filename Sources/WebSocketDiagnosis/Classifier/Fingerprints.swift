import Foundation

/// Reason strings, response bodies, server headers and statuses that fingerprint the component
/// that produced them (docs/FAILURE_SIGNATURES.md, rule 7).
///
/// Matching is case-insensitive and on fragments, never on one library's exact text: reason texts
/// differ per library (1009 has half a dozen wordings), so each fingerprint lists the fragments seen
/// across the servers named in docs/FAILURE_SIGNATURES.md.
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
    /// Block pages of web application firewalls, by vendor, as their own default pages word them
    /// (docs/FAILURE_SIGNATURES.md, "Block pages"). Fragments, never a whole page.
    public static let firewallPagesByVendor: [(vendor: String, fragments: [String])] = [
        // Cloudflare's WAF/firewall-rule block page ("Attention Required! | Cloudflare", "Sorry, you have been
        // blocked", the Ray ID footer) and its access-denied error 1020.
        (
            "Cloudflare",
            [
                "attention required! | cloudflare", "sorry, you have been blocked", "cloudflare ray id", "cf-error-details",
                "error code: 1020",
            ]
        ),
        // AWS WAF behind CloudFront: "Request blocked. We can't connect to the server…", "Generated by cloudfront".
        ("AWS WAF / CloudFront", ["generated by cloudfront", "request could not be satisfied"]),
        // Akamai's edge denial: "Access Denied … Reference #18.…", error pages on errors.edgesuite.net.
        ("Akamai", ["reference&#32;&#35;", "errors.edgesuite.net"]),
        // Azure Front Door WAF: "The request is blocked."; Application Gateway WAF pages name the gateway.
        ("Azure Front Door / Application Gateway", ["the request is blocked", "microsoft-azure-application-gateway"]),
        // ModSecurity (OWASP CRS rules) serves the web server's page, sometimes naming itself.
        ("ModSecurity", ["mod_security", "modsecurity"]),
        // Wordings shared by many WAFs and edge access rules.
        ("a WAF", ["request blocked", "web application firewall", "blocked by", "forbidden by policy", "security policy"]),
    ]
    /// Every block-page fragment, whatever the vendor.
    public static var firewallBodyFragments: [String] { firewallPagesByVendor.flatMap(\.fragments) }
    /// Default error pages that proxies write themselves (nginx's `<center>nginx</center>` footer, Envoy's
    /// plain texts): a body one of these wrote did not come from the application.
    public static let proxyErrorPageFragments = [
        "<center>nginx", "<center>openresty", "<hr><center>cloudflare", "<center>awselb", "upstream connect error",
        "no healthy upstream", "<address>apache", "request forbidden by administrative rules",
        "<center>microsoft-azure-application-gateway",
    ]
    /// Fragments of an Origin check refusing the request: gorilla/websocket (`request origin not allowed by
    /// Upgrader.CheckOrigin`), coder/websocket (`request Origin … is not authorized`), Engine.IO (`Not an
    /// accepted origin.`), Spring and others (`Invalid origin`, `Origin not allowed`), CORS wordings.
    public static let originRefusalFragments = [
        "origin not allowed", "origin is not allowed", "not an accepted origin", "invalid origin", "checkorigin",
        "origin check", "disallowed origin", "forbidden origin", "bad origin", "origin mismatch", "cross-origin",
        "cross origin", "not authorized for host", "origin header",
    ]
    /// Fragments of a session the server does not know: Engine.IO's `{"code":1,"message":"Session ID unknown"}`
    /// (Node) and python-engineio's `Invalid session <sid>` — the sticky-session failure behind a balancer.
    public static let unknownSessionFragments = ["session id unknown", "invalid session", "unknown sid", "unknown session"]
    /// Envoy's own 503 when it cannot reach or keep its upstream (also Istio and Cloud Run with HTTP/2 end to end).
    public static let envoyUpstreamFragments = ["upstream connect error", "disconnect/reset before headers", "no healthy upstream"]
    /// Close reasons and disconnect messages of an application's idle timeout: Tomcat (`… idle timeout
    /// expired`), Jetty 9.4 (1001 with `Idle timeout expired: …`), and similar.
    public static let idleReasonFragments = ["idle timeout", "idle for too long", "inactivity", "inactive", "idle"]
    /// TLS error texts of a plaintext peer answering a ClientHello (`wrong version number`).
    public static let plaintextPortTLSFragments = [
        "wrong version number", "wrong_version_number", "unknown protocol", "packet length too long", "http request",
    ]

    /// Whether a rejected upgrade's body says the request was not a WebSocket upgrade.
    public static func saysUpgradeRequired(body: String?) -> Bool { contains(body ?? "", upgradeRequiredBodyFragments) }
    /// Whether a `Server` header names a proxy, load balancer or CDN.
    public static func isProxyServer(_ server: String?) -> Bool { contains(server ?? "", proxyServerFragments) }
    /// Whether a body looks like a firewall or edge block page.
    public static func looksLikeFirewallBlock(body: String?) -> Bool { firewallVendor(body: body) != nil }
    /// The vendor whose block page a body is (`"Cloudflare"`, or `"a WAF"` for shared wordings), or `nil`.
    public static func firewallVendor(body: String?) -> String? {
        firewallPagesByVendor.first { contains(body ?? "", $0.fragments) }?.vendor
    }
    /// Whether a body is a proxy's own default error page.
    public static func isProxyErrorPage(body: String?) -> Bool { contains(body ?? "", proxyErrorPageFragments) }
    /// Whether a body or reason says an Origin check refused the request.
    public static func namesOriginRefusal(_ text: String?) -> Bool { contains(text ?? "", originRefusalFragments) }
    /// Whether a body says the session the client named is unknown (no session affinity).
    public static func saysSessionUnknown(body: String?) -> Bool { contains(body ?? "", unknownSessionFragments) }
    /// Whether a body is Envoy's own upstream failure text.
    public static func isEnvoyUpstreamFailure(body: String?) -> Bool { contains(body ?? "", envoyUpstreamFragments) }
    /// Fragments of a close reason that names a framing problem (RSV bits, opcodes, masking, fragmentation,
    /// control frames, UTF-8, lengths): ws's `Invalid WebSocket frame: …`, websockets' `… frame …`, Jetty's
    /// and Tomcat's parser messages.
    public static let framingProblemFragments = [
        "frame", "rsv", "opcode", "mask", "fragment", "continuation", "utf-8", "utf8", "payload length", "reserved bit",
        "close code", "protocol violation",
    ]
    /// Whether a 1002/1007 reason names a framing problem.
    public static func namesFramingProblem(_ reason: String) -> Bool { contains(reason, framingProblemFragments) }
    /// Whether a close reason names an idle timeout.
    public static func isIdleTimeout(reason: String) -> Bool { contains(reason, idleReasonFragments) }
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
