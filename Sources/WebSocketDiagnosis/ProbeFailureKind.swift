/// A stable identifier for what stopped an attempt (`connection-refused`, `handshake-timeout`, `tls-failure`).
///
/// The client records one of the catalogued kinds below; the classifier's rules match them by name
/// (``isTimeout``, `== .reset`), never by searching the text. Open set, as ``FindingCode`` is: a kind
/// read from a report written by another version decodes, and a rule that does not know it ignores it.
public struct ProbeFailureKind: RawRepresentable, Codable, Sendable, Hashable, CustomStringConvertible, ExpressibleByStringLiteral {
    public var rawValue: String
    public init(rawValue: String) { self.rawValue = rawValue }
    public init(stringLiteral value: String) { self.rawValue = value }
    public var description: String { rawValue }

    // Codable comes from RawRepresentable: the bare string, as FindingCode.

    // MARK: DNS
    /// The name did not resolve (NXDOMAIN, no address).
    public static let dnsFailure: ProbeFailureKind = "dns-failure"
    /// Resolution did not finish within the connect bound.
    public static let dnsTimeout: ProbeFailureKind = "dns-timeout"

    // MARK: Forward proxy (HTTP CONNECT)
    /// The forward proxy's own name did not resolve (or not in time).
    public static let proxyDNSFailure: ProbeFailureKind = "proxy-dns-failure"
    /// No TCP connection to the forward proxy.
    public static let proxyConnectFailure: ProbeFailureKind = "proxy-connect-failure"
    /// The proxy answered CONNECT with a status other than 2xx.
    public static let proxyRefused: ProbeFailureKind = "proxy-refused"
    /// The proxy's answer to CONNECT is not HTTP.
    public static let proxyMalformed: ProbeFailureKind = "proxy-malformed"
    /// No answer to CONNECT within the bound.
    public static let proxyTimeout: ProbeFailureKind = "proxy-timeout"
    /// The proxy closed the connection before the tunnel was up.
    public static let proxyClosed: ProbeFailureKind = "proxy-closed"

    // MARK: TCP
    /// `ECONNREFUSED`: nothing listens on the port.
    public static let connectionRefused: ProbeFailureKind = "connection-refused"
    /// No TCP connection within the connect bound (a dropped SYN), or `ETIMEDOUT`.
    public static let connectTimeout: ProbeFailureKind = "connect-timeout"
    /// `ENETUNREACH` / `EHOSTUNREACH`.
    public static let unreachable: ProbeFailureKind = "unreachable"
    /// Any other connect error.
    public static let connectFailed: ProbeFailureKind = "connect-failed"
    /// The peer reset the connection (at connect, during the upgrade, or once open).
    public static let reset: ProbeFailureKind = "reset"

    // MARK: TLS
    /// The probe's own TLS settings are unusable (CA or certificate files): TLS was never attempted.
    public static let tlsConfiguration: ProbeFailureKind = "tls-configuration"
    /// The TLS handshake did not finish within its bound.
    public static let tlsTimeout: ProbeFailureKind = "tls-timeout"
    /// The TLS handshake failed (the reason is in the transcript's TLS observation).
    public static let tlsFailure: ProbeFailureKind = "tls-failure"
    /// The transport ended without TLS close_notify while the connection was open.
    public static let tlsTruncated: ProbeFailureKind = "tls-truncated"

    // MARK: Upgrade
    /// No complete response head within the handshake bound.
    public static let handshakeTimeout: ProbeFailureKind = "handshake-timeout"
    /// An HTTP answer other than 101.
    public static let upgradeRejected: ProbeFailureKind = "upgrade-rejected"
    /// A 101 that fails the client's checks, or a response that is not HTTP/1.x.
    public static let invalidUpgradeResponse: ProbeFailureKind = "invalid-upgrade-response"
    /// The connection ended (EOF) before a response head, or, once open, without a close frame.
    public static let connectionClosed: ProbeFailureKind = "connection-closed"

    // MARK: WebSockets over HTTP/2 (RFC 8441, `--http2`)
    /// ALPN did not select `h2` to an offer of `h2` only.
    public static let http2NotNegotiated: ProbeFailureKind = "h2-not-negotiated"
    /// HTTP/2 without `SETTINGS_ENABLE_CONNECT_PROTOCOL = 1`: the extended CONNECT may not be sent.
    public static let http2NoExtendedConnect: ProbeFailureKind = "h2-no-extended-connect"
    /// The server reset the WebSocket's stream (`RST_STREAM`), before or after the 200.
    public static let http2StreamReset: ProbeFailureKind = "h2-stream-reset"
    /// The server's `GOAWAY` ended the connection the WebSocket's stream was on.
    public static let http2GoAway: ProbeFailureKind = "h2-goaway"

    // MARK: WebSocket
    /// The peer broke RFC 6455 (the finding names the rule).
    public static let protocolError: ProbeFailureKind = "protocol-error"
    /// Our keepalive pings got no pong within the bound.
    public static let keepaliveTimeout: ProbeFailureKind = "keepalive-timeout"

    // MARK: Categories

    /// Every kind the client records.
    public static let catalog: [ProbeFailureKind] = [
        .dnsFailure, .dnsTimeout, .proxyDNSFailure, .proxyConnectFailure, .proxyRefused, .proxyMalformed, .proxyTimeout,
        .proxyClosed, .connectionRefused, .connectTimeout, .unreachable, .connectFailed, .reset,
        .tlsConfiguration, .tlsTimeout, .tlsFailure, .tlsTruncated, .handshakeTimeout, .upgradeRejected,
        .invalidUpgradeResponse, .connectionClosed, .http2NotNegotiated, .http2NoExtendedConnect, .http2StreamReset, .http2GoAway,
        .protocolError, .keepaliveTimeout,
    ]

    /// A bound of ours fired (connect, DNS, TLS, handshake, keepalive): the peer said nothing, we gave up.
    public var isTimeout: Bool {
        [.dnsTimeout, .proxyTimeout, .connectTimeout, .tlsTimeout, .handshakeTimeout, .keepaliveTimeout].contains(self)
    }

    /// The transport ended under us (a reset or an EOF) without an answer.
    public var isTransportEnd: Bool { self == .reset || self == .connectionClosed }

    /// The HTTP/2 layer ended the WebSocket's stream (`RST_STREAM` or `GOAWAY`, `--http2`).
    public var isHTTP2StreamEnd: Bool { self == .http2StreamReset || self == .http2GoAway }
}
