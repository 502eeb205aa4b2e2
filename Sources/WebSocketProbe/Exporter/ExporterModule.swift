import Foundation
import WebSocketDiagnosis

/// One probe recipe of `ws1011 exporter`, selected by `/probe?module=NAME` (the blackbox_exporter pattern).
///
/// Credentials never live in the file: a module names a file or an environment variable that holds
/// them. Timeout discovery and the auth-channel matrix are off by default: a scrape must be short.
public struct ExporterModule: Codable, Sendable, Equatable {
    /// What to exercise after the upgrade (`plain`, `echo`, `reference`; default `plain`).
    public var profile: String?
    /// Subprotocols to offer, in order.
    public var subprotocols: [String]?
    /// Extra request headers (`{"X-Env": "prod"}`); secret-named ones are redacted like any other.
    public var headers: [String: String]?
    /// A file holding the token (sent as `Authorization: Bearer`, or by the profile's channel).
    public var tokenFile: String?
    /// An environment variable holding the token.
    public var tokenEnv: String?
    /// A file holding an HS256 signing secret: a token is minted for ``user``.
    public var secretFile: String?
    /// An environment variable holding an HS256 signing secret.
    public var secretEnv: String?
    /// The user to mint a token for (with ``secretFile`` or ``secretEnv``).
    public var user: String?
    /// A PEM file of extra trust roots.
    public var caFile: String?
    /// Turn TLS verification off (reported in every probe's debug output).
    public var insecure: Bool?
    /// The whole probe's bound (default 10 s), lowered to the scrape timeout Prometheus announces.
    public var timeout: String?
    /// Hold a silent connection this long to measure an idle timeout (off by default).
    public var idleProbe: String?
    /// Hold a pinged connection this long to measure a lifetime cap (off by default).
    public var lifetimeProbe: String?
    /// Run the auth-channel matrix (off by default).
    public var authMatrix: Bool?
    /// A PEM client certificate (chain, leaf first; the file may hold the key too) for a front that requires
    /// mutual TLS, as `diagnose --cert`.
    public var certFile: String?
    /// The PEM private key of ``certFile`` when it is in a file of its own, as `diagnose --key`.
    public var keyFile: String?
    /// Tunnel through this HTTP proxy with CONNECT: `http://HOST[:PORT]`, as `diagnose --proxy`. Its
    /// credentials are not written here: ``proxyCredentialsFile`` or ``proxyCredentialsEnv`` hold `USER:PASSWORD`.
    /// Without it no proxy is used (the exporter's own `https_proxy` does not apply).
    public var proxy: String?
    /// A file holding the proxy's `USER:PASSWORD`.
    public var proxyCredentialsFile: String?
    /// An environment variable holding the proxy's `USER:PASSWORD`.
    public var proxyCredentialsEnv: String?
    /// Hosts that bypass ``proxy``, as `NO_PROXY` lists them.
    public var noProxy: String?
    /// Hold this many connections in parallel after the main probe (1-1000), as `diagnose --connections`: a
    /// reload, a deploy or one bad instance shows as the verdict, and the `probe_ws1011_fleet_*` series count
    /// them (off by default).
    public var connections: Int?
    /// How long the fleet of ``connections`` is held (default: half the probe's bound); never more than three
    /// quarters of the bound, so the main probe and the fleet fit in one scrape.
    public var hold: String?
    /// The response header in which the front names the backend instance that served a fleet connection, as
    /// `diagnose --instance-header` (default: the usual ones, `X-Served-By` and `X-Backend-Server`); applies
    /// with ``connections``.
    public var instanceHeader: String?

    /// A module with every setting at its default (the plain profile, no credential).
    public init(profile: String? = nil) {
        self.profile = profile
    }

    /// The default bound of one probe.
    public static let defaultTimeout: Duration = .seconds(10)

    /// The module's probe bound.
    public func probeTimeout() throws(ProbeError) -> Duration {
        guard let timeout else { return Self.defaultTimeout }
        guard let d = DurationText.parse(timeout), d > .zero else {
            throw ProbeError.invalidConfiguration(DurationText.syntaxHelp(timeout, option: "timeout"))
        }
        return d
    }

    /// The plan for one probe of `target`, bounded by `bound` (the module's timeout, or less when the
    /// scrape timeout is shorter). Reads the credential files and variables now, so a rotated token is
    /// picked up by the next scrape.
    public func plan(target: WebSocketURL, bound: Duration, environment: [String: String] = ProcessInfo.processInfo.environment)
        throws(ProbeError) -> ProbePlan
    {
        var options = ProbeOptions()
        options.names = .exporterModule
        options.profile = profile ?? "plain"
        options.subprotocols = subprotocols ?? []
        options.headers = (headers ?? [:]).sorted { $0.key < $1.key }.map { HeaderField($0.key, $0.value) }
        options.caFile = caFile
        options.insecure = insecure ?? false
        // Every wait fits inside the bound; the whole run too (--max-time).
        let wait = min(bound, .seconds(10))
        options.connectTimeout = wait
        options.messageTimeout = wait
        options.closeTimeout = min(bound, .seconds(2))
        options.maxTime = bound
        options.authChannelMatrix = authMatrix ?? false
        options.clientCertificateFile = certFile
        options.clientKeyFile = keyFile
        options.proxy = try proxySettings(environment: environment)
        options.connections = connections
        if connections != nil || hold != nil { options.fleetHold = try fleetHold(bound: bound) }
        options.instanceHeader = instanceHeader
        for (name, value) in [("idleProbe", idleProbe), ("lifetimeProbe", lifetimeProbe)] {
            guard let value else { continue }
            guard let d = DurationText.parse(value), d > .zero else {
                throw ProbeError.invalidConfiguration(DurationText.syntaxHelp(value, option: name))
            }
            if name == "idleProbe" { options.idleProbe = d } else { options.lifetimeProbe = d }
        }
        let token = try secret(file: tokenFile, env: tokenEnv, what: "token", environment: environment)
        let signing = try secret(file: secretFile, env: secretEnv, what: "secret", environment: environment)
        switch (token, signing) {
        case (nil, nil):
            options.token = .none
        case (let token?, nil):
            options.token = .literal(token)
        case (nil, let signing?):
            guard let user, !user.isEmpty else {
                throw ProbeError.invalidConfiguration("secretFile/secretEnv needs user: the user a token is minted for")
            }
            options.token = .mint(secret: signing, email: user)
        case (.some, .some):
            throw ProbeError.invalidConfiguration("give a token (tokenFile/tokenEnv) or a signing secret (secretFile/secretEnv), not both")
        }
        return try options.plan(for: target)
    }

    /// Checks what can be checked without the secrets (read at each probe): the timeout, the fleet, the
    /// proxy's form, the client certificate and key.
    /// - Throws: ``ProbeError`` naming the setting and the fix.
    func check() throws(ProbeError) {
        let bound = try probeTimeout()
        // The fleet as the plan's builder checks it (the range, a hold or an instance header without a fleet).
        var fleet = ProbeOptions()
        fleet.names = .exporterModule
        fleet.connections = connections
        fleet.instanceHeader = instanceHeader
        if connections != nil || hold != nil { fleet.fleetHold = try fleetHold(bound: bound) }
        try fleet.check()
        try ProbePlan.checkInstanceHeader(instanceHeader)
        if let proxy {
            let settings = try ProxySettings.parse(proxy, source: "module proxy")
            if settings.username != nil {
                throw ProbeError.invalidConfiguration(
                    "proxy: credentials do not belong in the config file; write proxy as http://HOST:PORT and put USER:PASSWORD in proxyCredentialsFile or proxyCredentialsEnv"
                )
            }
        } else if proxyCredentialsFile != nil || proxyCredentialsEnv != nil || noProxy != nil {
            throw ProbeError.invalidConfiguration("proxyCredentialsFile, proxyCredentialsEnv and noProxy apply to a proxy: give proxy too")
        }
        if let certFile {
            _ = try ClientIdentity.load(certificateFile: certFile, keyFile: keyFile)
        } else if keyFile != nil {
            throw ProbeError.invalidConfiguration("keyFile is the key of certFile: give certFile too")
        }
    }

    /// The fleet's hold within `bound`: ``hold`` (default half the bound), at most three quarters of it.
    func fleetHold(bound: Duration) throws(ProbeError) -> Duration {
        var wanted = bound / 2
        if let hold {
            guard let d = DurationText.parse(hold), d > .zero else {
                throw ProbeError.invalidConfiguration(DurationText.syntaxHelp(hold, option: "hold"))
            }
            wanted = d
        }
        return min(wanted, bound * 3 / 4)
    }

    /// The module's proxy, with its credentials from ``proxyCredentialsFile`` or ``proxyCredentialsEnv``.
    func proxySettings(environment: [String: String]) throws(ProbeError) -> ProxySettings? {
        guard let proxy else {
            if proxyCredentialsFile != nil || proxyCredentialsEnv != nil || noProxy != nil {
                throw ProbeError.invalidConfiguration(
                    "proxyCredentialsFile, proxyCredentialsEnv and noProxy apply to a proxy: give proxy too")
            }
            return nil
        }
        var settings = try ProxySettings.parse(proxy, source: "module proxy")
        guard settings.username == nil else {
            throw ProbeError.invalidConfiguration(
                "proxy: credentials do not belong in the config file; write proxy as http://HOST:PORT and put USER:PASSWORD in proxyCredentialsFile or proxyCredentialsEnv"
            )
        }
        if let credentials = try secret(
            file: proxyCredentialsFile, env: proxyCredentialsEnv, what: "proxyCredentials", environment: environment)
        {
            guard let colon = credentials.firstIndex(of: ":"), colon != credentials.startIndex else {
                throw ProbeError.invalidConfiguration("proxyCredentials: write USER:PASSWORD (no colon found, or no user before it)")
            }
            settings.username = String(credentials[..<colon])
            settings.password = String(credentials[credentials.index(after: colon)...])
        }
        settings.exemptions = noProxy ?? ""
        return settings
    }

    private func secret(file: String?, env: String?, what: String, environment: [String: String]) throws(ProbeError) -> String? {
        if let file {
            // Read on every probe (a rotated token is picked up), through a handle and bounded: at most one byte more
            // than a secret may hold, whatever the file is; a directory is named as one.
            // Only a regular file: a FIFO with no writer would block the probe's open before any bound applies.
            var isDirectory: ObjCBool = false
            let type = (try? FileManager.default.attributesOfItem(atPath: file))?[.type] as? FileAttributeType
            guard FileManager.default.fileExists(atPath: file, isDirectory: &isDirectory), type == .typeRegular,
                let handle = FileHandle(forReadingAtPath: file)
            else {
                let why =
                    isDirectory.boolValue
                    ? "a directory" : (type != nil && type != .typeRegular ? "not a regular file" : "missing or not readable")
                throw ProbeError.invalidConfiguration(
                    "\(what)File '\(file)' cannot be read (\(why)); give the path of a regular file that holds only the \(what)")
            }
            defer { try? handle.close() }
            let data: Data
            do {
                data = try handle.read(upToCount: SecretText.maxBytes + 1) ?? Data()
            } catch {
                throw ProbeError.invalidConfiguration("\(what)File '\(file)' cannot be read (\(error.localizedDescription))")
            }
            return try SecretText.parse(data, source: "\(what)File '\(file)'")
        }
        if let env {
            guard let value = environment[env], !value.isEmpty else {
                throw ProbeError.invalidConfiguration("\(what)Env names $\(env), which is not set in the exporter's environment")
            }
            try SecretText.check(value, source: "$\(env)")
            return value
        }
        return nil
    }
}

/// The exporter's configuration file: `{"modules": {"NAME": {…}}}`.
public struct ExporterConfiguration: Codable, Sendable, Equatable {
    /// The modules by name.
    public var modules: [String: ExporterModule]

    /// A configuration with `modules`.
    public init(modules: [String: ExporterModule]) {
        self.modules = modules
    }

    /// Without a file: one module per built-in profile, named after it (`/probe?module=echo`).
    public static let builtIn = ExporterConfiguration(
        modules: Dictionary(uniqueKeysWithValues: ApplicationProfile.builtIns.map { ($0.name, ExporterModule(profile: $0.name)) }))

    /// Reads and checks a configuration file.
    /// - Throws: ``ProbeError`` naming the file and what is wrong in it.
    public static func load(path: String) throws(ProbeError) -> ExporterConfiguration {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw ProbeError.invalidConfiguration("exporter config '\(path)' cannot be read; check the path and its permissions")
        }
        let configuration: ExporterConfiguration
        do {
            configuration = try JSONDecoder().decode(ExporterConfiguration.self, from: data)
        } catch let DecodingError.keyNotFound(key, _) {
            throw ProbeError.invalidConfiguration(
                "exporter config '\(path)': missing '\(key.stringValue)'; write {\"modules\": {\"NAME\": {\"profile\": \"plain\"}}}")
        } catch let DecodingError.typeMismatch(_, context), let DecodingError.valueNotFound(_, context) {
            let field = context.codingPath.map(\.stringValue).joined(separator: ".")
            throw ProbeError.invalidConfiguration("exporter config '\(path)': '\(field)' has the wrong type (\(context.debugDescription))")
        } catch {
            throw ProbeError.invalidConfiguration("exporter config '\(path)' is not valid JSON: \(error.localizedDescription)")
        }
        guard !configuration.modules.isEmpty else {
            throw ProbeError.invalidConfiguration("exporter config '\(path)' has no modules; add at least one under \"modules\"")
        }
        for (name, module) in configuration.modules {
            guard name.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || "-_.".contains($0)) }) else {
                throw ProbeError.invalidConfiguration(
                    "exporter config '\(path)': module name '\(name)' may use only letters, digits, '-', '_' and '.'")
            }
            do throws(ProbeError) {
                try module.check()
                if let profile = module.profile {
                    do {
                        _ = try ProfileLoader.resolve(profile)
                    } catch {
                        throw ProbeError.invalidConfiguration(error.description)
                    }
                }
            } catch {
                throw ProbeError.invalidConfiguration("exporter config '\(path)', module '\(name)': \(error.description)")
            }
        }
        return configuration
    }
}
