import Foundation
import WebSocketDiagnosis

/// What one probe should do, as `ws1011 diagnose`, a scenario file and an exporter module state it: the one
/// way from options to a ``ProbePlan``.
///
/// Each front end turns its own text (flags, JSON fields) into these values; ``plan(for:)`` checks how they fit
/// together, builds the plan and validates it (``ProbePlan/validate()``). Errors name the option as the front end
/// spells it (``names``) and say how to fix it.
///
/// ```swift
/// var options = ProbeOptions()
/// options.profile = "echo"
/// options.connectTimeout = .seconds(5)
/// let plan = try options.plan(for: try WebSocketURL(parsing: "wss://example.com/ws"))
/// ```
public struct ProbeOptions: Sendable {
    /// How errors spell the options (default: the command line's flags).
    public var names: Names = .commandLine

    // MARK: - What the probe expects of the application

    /// A built-in profile's name or a profile file's path (``ProfileLoader/resolve(_:)``); nil: ``defaultProfile``.
    public var profile: String? = nil
    /// The profile when ``profile`` is nil (default `plain`).
    public var defaultProfile: ApplicationProfile = .plain
    /// Subprotocols to offer, in order (default none).
    public var subprotocols: [String] = []
    /// Extra request headers (default none).
    public var headers: [HeaderField] = []
    /// The `Origin` header to send (default none).
    public var origin: String? = nil

    // MARK: - Credentials

    /// Where the credential comes from (default none).
    public var token: TokenSource = .none
    /// Sends a literal ``token`` only this way: `header` adds `Authorization: Bearer`, `query` appends
    /// `token=` to the URL (and the direct URL), `none` sends no credential; nil or `subprotocol`: the profile's
    /// way (default nil).
    public var credentialChannel: AuthChannel? = nil

    // MARK: - Network and TLS

    /// A PEM file of extra trust roots (default none).
    public var caFile: String? = nil
    /// Extra trust roots, PEM text (default none).
    public var trustRootsPEM: [String] = []
    /// Turns TLS verification off (default false).
    public var insecure: Bool = false
    /// A PEM client certificate for mutual TLS (default none).
    public var clientCertificateFile: String? = nil
    /// The PEM private key of ``clientCertificateFile`` when it is in a file of its own (default none).
    public var clientKeyFile: String? = nil
    /// An HTTP proxy to tunnel through (default none); its credentials become secrets of the plan.
    public var proxy: ProxySettings? = nil
    /// `--connect-to` and `--resolve` routes (default none).
    public var routes: [ConnectRoute] = []
    /// The same probe again straight at the backend, to compare (default none).
    public var direct: WebSocketURL? = nil
    /// WebSockets over HTTP/2 (RFC 8441) instead of HTTP/1.1 (default false).
    public var http2: Bool = false
    /// Check whether the front offers WebSockets over HTTP/2 (default true).
    public var http2Check: Bool = true

    // MARK: - Bounds

    /// Bound of the connect, TLS handshake and upgrade steps, each (default: ``ClientConfiguration/Timeouts``' 10 s).
    public var connectTimeout: Duration? = nil
    /// Bound of each wait for a message (default 10 s).
    public var messageTimeout: Duration? = nil
    /// Bound of the close handshake (default 5 s).
    public var closeTimeout: Duration? = nil
    /// Bound of the whole run (default none).
    public var maxTime: Duration? = nil

    // MARK: - What the probe does after the upgrade

    /// Hold a silent connection up to this long to measure an idle timeout (default off).
    public var idleProbe: Duration? = nil
    /// Hold a pinged connection up to this long to measure a lifetime cap (default off).
    public var lifetimeProbe: Duration? = nil
    /// Keep a connection up with traffic this long (default off).
    public var sustain: Duration? = nil
    /// Time between pings or messages while holding a connection (default: ``ProbePlan``'s 1 s).
    public var trafficInterval: Duration? = nil
    /// Do not answer the server's pings (default false).
    public var withholdPongs: Bool = false
    /// Our own keepalive pings (default none).
    public var keepalive: ClientConfiguration.Keepalive? = nil
    /// One application message of this many bytes after the welcome (default none).
    public var messageSize: Int? = nil
    /// Run the auth-channel matrix (default true).
    public var authChannelMatrix: Bool = true
    /// The matrix's channels, in order (default: all).
    public var authChannels: [AuthChannel]? = nil

    // MARK: - Fleet

    /// Hold this many connections in parallel after the main probe, 1 to ``ProbePlan/maximumConnections``
    /// (default none).
    public var connections: Int? = nil
    /// How long the fleet is held (default: ``ProbePlan``'s 10 s); needs ``connections``.
    public var fleetHold: Duration? = nil
    /// The response header naming the backend instance (default: the usual ones); needs ``connections``.
    public var instanceHeader: String? = nil

    /// Options at their defaults: the plain profile, no credential, every bound at its default.
    public init() {}

    // MARK: - Options → plan

    /// The plan for a probe of `target`.
    /// - Throws: ``ProbeError`` naming the option (as ``names`` spells it) and the fix: an unknown profile, a
    ///   count out of range, a fleet option without a fleet, options that contradict each other, and everything
    ///   ``ProbePlan/validate()`` checks (the CA file, the client certificate, header and subprotocol text, …).
    public func plan(for target: WebSocketURL) throws(ProbeError) -> ProbePlan {
        try check()
        var plan = ProbePlan(target: target)
        if let profile {
            do {
                plan.profile = try ProfileLoader.resolve(profile)
            } catch {
                throw ProbeError.invalidConfiguration("\(names.profile): \(error.description)")
            }
        } else {
            plan.profile = defaultProfile
        }
        plan.subprotocols = subprotocols
        plan.headers = headers
        plan.origin = origin
        plan.tls.caFile = caFile
        plan.tls.trustRootsPEM = trustRootsPEM
        plan.tls.insecure = insecure
        plan.tls.clientCertificateFile = clientCertificateFile
        plan.tls.clientKeyFile = clientKeyFile
        plan.proxy = proxy
        plan.extraSecrets += proxy?.secrets ?? []
        plan.routes = routes
        plan.direct = direct
        plan.http2Check = http2Check
        if http2 { plan.transport = .http2 }
        if let connectTimeout {
            plan.timeouts.connect = connectTimeout
            plan.timeouts.tlsHandshake = connectTimeout
            plan.timeouts.upgrade = connectTimeout
        }
        if let messageTimeout { plan.timeouts.message = messageTimeout }
        if let closeTimeout { plan.timeouts.close = closeTimeout }
        plan.maxTime = maxTime
        plan.idleProbe = idleProbe
        plan.lifetimeProbe = lifetimeProbe
        plan.sustain = sustain
        if let trafficInterval { plan.trafficInterval = trafficInterval }
        plan.withholdPongs = withholdPongs
        plan.keepalive = keepalive
        plan.messageSize = messageSize
        plan.authChannelMatrix = authChannelMatrix
        plan.authChannels = authChannels
        plan.connections = connections
        if let fleetHold { plan.fleetHold = fleetHold }
        plan.instanceHeader = instanceHeader
        plan.token = token
        if case .literal(let literal) = token {
            switch credentialChannel {
            case .header?:
                plan.headers.append(HeaderField("Authorization", "Bearer \(literal)"))
            case .query?:
                plan.target = Self.addingToken(literal, to: target)
                plan.direct = direct.map { Self.addingToken(literal, to: $0) }
            case .none?:
                plan.token = .none
            case .subprotocol?, nil:
                break
            }
        } else if credentialChannel == AuthChannel.none {
            plan.token = .none
        }
        try plan.validate()
        return plan
    }

    /// How the options fit together, before any of them is used.
    func check() throws(ProbeError) {
        if let connections, !(1...ProbePlan.maximumConnections).contains(connections) {
            throw ProbeError.invalidConfiguration("\(names.connections) must be 1 to \(ProbePlan.maximumConnections) (got \(connections))")
        }
        for (given, name) in [(instanceHeader != nil, names.instanceHeader), (fleetHold != nil, names.hold)]
        where given && connections == nil {
            throw ProbeError.invalidConfiguration("\(name) applies to the fleet: give \(names.fleetRequest) too")
        }
        if let messageSize, messageSize < 1 {
            throw ProbeError.invalidConfiguration("\(names.messageSize) must be at least 1 byte (got \(messageSize))")
        }
        if http2, !http2Check {
            throw ProbeError.invalidConfiguration("\(names.http2) and \(names.noHTTP2Check) contradict each other: give one")
        }
        if authChannels != nil, !authChannelMatrix {
            throw ProbeError.invalidConfiguration("\(names.authChannels) and \(names.noAuthMatrix) contradict each other: give one")
        }
        if credentialChannel == .header || credentialChannel == .query {
            guard case .literal = token else {
                throw ProbeError.invalidConfiguration(
                    "\(names.credentialChannel) \(credentialChannel?.rawValue ?? "") sends a token given as it is: give the token itself, or leave \(names.credentialChannel) out"
                )
            }
        }
    }

    /// `target` with `token=…` appended to its query.
    static func addingToken(_ token: String, to target: WebSocketURL) -> WebSocketURL {
        target.replacing(resource: target.resource + (target.resource.contains("?") ? "&" : "?") + "token=" + token)
    }
}
