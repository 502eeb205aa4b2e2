/// The stable cause ids the classifier produces (part of the `ws1011.report/1` JSON contract).
///
/// The prefix names the layer (`CauseID.layer`). Inconclusive verdicts use ``CauseID/inconclusive``,
/// healthy ones ``CauseID/healthy``.
extension CauseID {
    // MARK: Network

    /// The host name did not resolve.
    public static let dnsFailure: CauseID = "network.dns-failure"
    /// Nothing listens on the port (TCP RST to the SYN).
    public static let connectionRefused: CauseID = "network.connection-refused"
    /// The TCP connect did not complete within the bound.
    public static let connectTimeout: CauseID = "network.connect-timeout"
    /// The connection was reset before any TLS or HTTP answer.
    public static let networkReset: CauseID = "network.reset"
    /// The host is unreachable, or the connect failed for another network reason.
    public static let connectFailure: CauseID = "network.connect-failure"
    /// The forward proxy answered `CONNECT` with an error (403 not allowed, 407 credentials, 502/504 it could
    /// not reach the target).
    public static let proxyRefused: CauseID = "network.proxy-refused"
    /// The forward proxy could not be reached, or ended the connection without answering `CONNECT`.
    public static let proxyUnreachable: CauseID = "network.proxy-unreachable"

    // MARK: TLS

    /// `wss://` to a port that does not speak TLS ("wrong version number").
    public static let plaintextPort: CauseID = "tls.plaintext-port"
    /// Self-signed leaf, unknown issuer or missing intermediate.
    public static let untrustedChain: CauseID = "tls.untrusted-chain"
    /// The leaf is expired or not yet valid.
    public static let expiredCertificate: CauseID = "tls.expired-certificate"
    /// The certificate does not name the host.
    public static let hostnameMismatch: CauseID = "tls.hostname-mismatch"
    /// Any other TLS handshake failure (alert, no shared cipher, reset mid-handshake).
    public static let tlsHandshakeFailure: CauseID = "tls.handshake-failure"
    /// The server requires a client certificate (mTLS) and none was offered.
    public static let clientCertificateRequired: CauseID = "tls.client-certificate-required"
    /// The server refused the client certificate that was offered (unknown CA, expired, not allowed).
    public static let clientCertificateRejected: CauseID = "tls.client-certificate-rejected"

    // MARK: Infrastructure

    /// The backend saw plain HTTP: the front dropped `Upgrade`/`Connection` (404/426/400 only through it).
    public static let upgradeNotForwarded: CauseID = "infrastructure.upgrade-not-forwarded"
    /// The front itself answered the upgrade with an error status (403 WAF, 429, 502, 503, 504, 52x).
    public static let upgradeRejected: CauseID = "infrastructure.upgrade-rejected"
    /// The front gave no HTTP answer within the bound while the backend answers direct (cold start, queueing).
    public static let upgradeTimeout: CauseID = "infrastructure.upgrade-timeout"
    /// The connection ended with no close frame after N s of silence.
    public static let idleTimeout: CauseID = "infrastructure.idle-timeout"
    /// The connection ended with no close frame N s after open, whatever the traffic.
    public static let lifetimeCap: CauseID = "infrastructure.lifetime-cap"
    /// A header the backend needs (credential, subprotocol) does not get through the front.
    public static let headerStripped: CauseID = "infrastructure.header-stripped"
    /// The connection ended with no close frame only through the front, with no timing pattern.
    public static let infrastructureConnectionDropped: CauseID = "infrastructure.connection-dropped"
    /// An edge proxy closed with 1001 because it is restarting (Cloudflare).
    public static let edgeRestart: CauseID = "infrastructure.edge-restart"
    /// Application messages arrive direct but not through the front.
    public static let messagesDropped: CauseID = "infrastructure.messages-dropped"
    /// The front closes with 1009 a message the backend accepts direct: a frame or message size quota in the front
    /// (AWS API Gateway: 32 KB frames, 128 KB messages).
    public static let frontMessageSizeLimit: CauseID = "infrastructure.message-size-limit"
    /// Through the front only, the handshake or the frames break RFC 6455 (the front alters them).
    public static let frontProtocolViolation: CauseID = "infrastructure.protocol-violation"
    /// Several instances behind a balancer without session affinity: the session the client names lives
    /// on another instance (Engine.IO/Socket.IO 400 `Session ID unknown`).
    public static let noSessionAffinity: CauseID = "infrastructure.no-session-affinity"
    /// WebSockets over HTTP/2 (RFC 8441) are advertised (`SETTINGS_ENABLE_CONNECT_PROTOCOL = 1`) but the
    /// extended CONNECT fails while HTTP/1.1 works: browsers fail with 1006, CLI clients do not.
    public static let http2WebSocketBroken: CauseID = "infrastructure.h2-websocket-broken"
    /// Over HTTP/2 (`--http2`), the open WebSocket's stream was reset (`RST_STREAM`) with no close frame:
    /// the HTTP/2 layer (a front terminating h2, or the server's h2 stack) ended it, not the application.
    public static let http2StreamReset: CauseID = "infrastructure.h2-stream-reset"
    /// Over HTTP/2 (`--http2`), a `GOAWAY` ended the connection under the open WebSocket with no close frame:
    /// a graceful shutdown (restart, drain, reload) or a connection error of the h2 layer.
    public static let http2GoAway: CauseID = "infrastructure.h2-goaway"
    /// Many connections cut at once with no close frame while new ones open: a proxy reload or drain
    /// (ingress-nginx `worker-shutdown-timeout`, Envoy/Istio config pushes, Traefik, Caddy), seen by a fleet.
    public static let reloadDrain: CauseID = "infrastructure.reload-drain"
    /// A stable part of a fleet fails one same way while the rest stays healthy: one bad instance behind the
    /// balancer.
    public static let badInstance: CauseID = "infrastructure.bad-instance"

    // MARK: Application

    /// The application closed with 1011 (an exception caught by a catch-all handler).
    public static let internalErrorClose: CauseID = "application.internal-error-close"
    /// The server's keepalive gave up: 1011 `keepalive ping timeout` after its pings got no pong.
    public static let applicationKeepaliveTimeout: CauseID = "application.keepalive-timeout"
    /// The application's socket ended with no close frame right after a message (uvicorn on an exception).
    public static let applicationConnectionDropped: CauseID = "application.connection-dropped"
    /// The application rejected the credential (403 before the upgrade, 1008 after).
    public static let authRejected: CauseID = "application.auth-rejected"
    /// The application is starting or shutting down (1011 `Service not ready`, 503, 1013).
    public static let notReady: CauseID = "application.not-ready"
    /// The application restarted or shut down (1012, or 1001 from the app).
    public static let applicationRestart: CauseID = "application.restart"
    /// The application refused a message as too big (1009).
    public static let messageTooBig: CauseID = "application.message-too-big"
    /// The peer broke RFC 6455 (1002/1007 received, or our findings of violations).
    public static let protocolError: CauseID = "application.protocol-error"
    /// We offered subprotocols and the server selected none.
    public static let subprotocolNotEchoed: CauseID = "application.subprotocol-not-echoed"
    /// The backend's own handshake answer is wrong (HTTP 500 before accept, bad accept key, missing headers).
    public static let handshakeError: CauseID = "application.handshake-error"
    /// The backend never answered the upgrade within the bound, direct too.
    public static let applicationHandshakeTimeout: CauseID = "application.handshake-timeout"
    /// The connection was fine but expected application events did not all arrive.
    public static let missingEvents: CauseID = "application.missing-events"
    /// The application rejected a message as invalid (1008 with a validation error list).
    public static let validationError: CauseID = "application.validation-error"
    /// The backend itself rate-limits upgrades (429 direct too).
    public static let rateLimited: CauseID = "application.rate-limited"
    /// The application closed with a library- or application-defined code (3000–4999).
    public static let applicationDefinedClose: CauseID = "application.custom-close"
    /// The application closes every connection N s after open, whatever the traffic (its own cap,
    /// with a close frame: Daphne's `websocket_timeout`, an app's session limit).
    public static let applicationConnectionCap: CauseID = "application.connection-cap"
    /// The application closes a connection after N s without messages (its own idle timeout, with a
    /// close frame: Tomcat's and Jetty's session idle timeouts close 1001).
    public static let applicationIdleTimeout: CauseID = "application.idle-timeout"
    /// The application announced the end in its own protocol (a `disconnect` message with a reason), then closed.
    public static let applicationDisconnect: CauseID = "application.disconnect-message"
    /// The server closed the connection before the probe did, and nothing observed explains why.
    public static let unrequestedClose: CauseID = "application.unrequested-close"
    /// The application refused one of our messages by policy (1008 right after it, long after the open).
    public static let policyViolation: CauseID = "application.policy-violation"
    /// The server's Origin check refused the upgrade (gorilla `CheckOrigin`, Channels' origin validators, …).
    public static let originRejected: CauseID = "application.origin-rejected"
    /// A Socket.IO namespace refused the connection (`44{"message":…}` CONNECT_ERROR): a namespace
    /// middleware or auth handler said no, or the namespace does not exist.
    public static let socketIONamespaceRefused: CauseID = "application.socketio-namespace-refused"
    /// The server sent pings without pause (`frame.ping-flood`) and a step failed while the connection was
    /// busy with them: a keepalive timer or loop gone wrong in the server, or in a proxy that pings for it.
    public static let pingFlood: CauseID = "application.ping-flood"

    // MARK: Integration, client, outcome

    /// The application fails only through the front: the front changed what the application receives.
    public static let appFailureBehindFront: CauseID = "integration.app-failure-behind-front"
    /// Our keepalive gave up: our pings got no pong, we sent 1011 and no close frame came back.
    public static let clientKeepaliveTimeout: CauseID = "client.keepalive-timeout"
    /// The connection works but the application does not speak the chosen profile (no welcome, replies of
    /// other types, another subprotocol selection): the profile does not describe this application — not the
    /// application's fault, not the front's.
    public static let contractMismatch: CauseID = "client.contract-mismatch"
    /// Everything the plan checked worked.
    public static let healthy: CauseID = "healthy"
    /// The evidence does not fit any rule well enough to name a cause.
    public static let inconclusive: CauseID = "inconclusive"
    /// The run was stopped (`--max-time`, SIGINT, SIGTERM) before the main attempt finished: the steps
    /// done are reported, and no cause is named from a connection we cut ourselves.
    public static let interrupted: CauseID = "inconclusive.interrupted"

    /// Every cause id the classifier can produce, in catalog order.
    public static let allKnown: [CauseID] = [
        .dnsFailure, .connectionRefused, .connectTimeout, .networkReset, .connectFailure, .proxyRefused, .proxyUnreachable,
        .plaintextPort, .untrustedChain, .expiredCertificate, .hostnameMismatch, .tlsHandshakeFailure,
        .clientCertificateRequired, .clientCertificateRejected,
        .upgradeNotForwarded, .upgradeRejected, .upgradeTimeout, .idleTimeout, .lifetimeCap, .headerStripped,
        .infrastructureConnectionDropped, .edgeRestart, .messagesDropped, .frontMessageSizeLimit, .frontProtocolViolation,
        .noSessionAffinity, .http2WebSocketBroken,
        .http2StreamReset, .http2GoAway,
        .reloadDrain, .badInstance,
        .internalErrorClose, .applicationKeepaliveTimeout, .applicationConnectionDropped, .authRejected, .notReady,
        .applicationRestart, .messageTooBig, .protocolError, .subprotocolNotEchoed, .handshakeError,
        .applicationHandshakeTimeout, .missingEvents, .validationError, .rateLimited, .applicationDefinedClose,
        .applicationConnectionCap, .applicationIdleTimeout, .applicationDisconnect, .unrequestedClose, .policyViolation,
        .originRejected, .socketIONamespaceRefused, .pingFlood,
        .appFailureBehindFront, .clientKeepaliveTimeout, .contractMismatch, .healthy, .inconclusive, .interrupted,
    ]
}
