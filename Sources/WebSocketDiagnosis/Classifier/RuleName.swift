/// The rule that produced a piece of ``Evidence`` (`close-frame-vs-transport-end`, `timing-lifetime-cap`, …).
///
/// Stable: reports and tests refer to these names. Open set, as ``FindingCode`` is: a report written by
/// another version decodes whatever rule names it carries.
public struct RuleName: RawRepresentable, Codable, Sendable, Hashable, CustomStringConvertible, ExpressibleByStringLiteral {
    public var rawValue: String
    public init(rawValue: String) { self.rawValue = rawValue }
    public init(stringLiteral value: String) { self.rawValue = value }
    public var description: String { rawValue }

    // Codable comes from RawRepresentable: the bare string, as FindingCode.

    public static let networkStage: RuleName = "network-stage"
    public static let proxyHop: RuleName = "proxy-hop"
    public static let tlsVerification: RuleName = "tls-verification"
    public static let upgradeTimeout: RuleName = "upgrade-timeout"
    public static let authChannel: RuleName = "auth-channel"
    public static let handshakeStatus: RuleName = "handshake-status"
    public static let handshakeValidity: RuleName = "handshake-validity"
    public static let sentVersusReceived: RuleName = "close-sent-vs-received"
    public static let peerProtocolViolation: RuleName = "peer-protocol-violation"
    public static let pingFlood: RuleName = "ping-flood"
    public static let closeFrame: RuleName = "close-frame-vs-transport-end"
    public static let reasonFingerprint: RuleName = "reason-fingerprint"
    public static let timingAfterMessage: RuleName = "timing-after-message"
    public static let timingIdle: RuleName = "timing-idle-timeout"
    public static let timingLifetime: RuleName = "timing-lifetime-cap"
    public static let timingKeepalive: RuleName = "timing-keepalive-stall"
    public static let applicationKeepalive: RuleName = "application-keepalive"
    public static let pingsVersusNoPings: RuleName = "pings-vs-no-pings"
    public static let expectedEvents: RuleName = "expected-events"
    public static let probeSteps: RuleName = "probe-steps"
    public static let directVersusFront: RuleName = "direct-vs-front"
    public static let healthy: RuleName = "healthy-path"
    public static let interruption: RuleName = "interruption"
    public static let knownLimit: RuleName = "known-limit"
    public static let unrequestedClose: RuleName = "unrequested-close"
    public static let disconnectMessage: RuleName = "disconnect-message"
    public static let originCheck: RuleName = "origin-check"
    public static let http2ExtendedConnect: RuleName = "http2-extended-connect"
    public static let http2StreamEnd: RuleName = "http2-stream-end"
    public static let clusteredEnds: RuleName = "clustered-ends"
    public static let fleetFraction: RuleName = "fleet-fraction"
    public static let contract: RuleName = "application-contract"
    public static let socketIONamespace: RuleName = "socketio-namespace"
}
