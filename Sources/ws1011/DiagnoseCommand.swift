import ArgumentParser
import Foundation
import WebSocketAuth
import WebSocketDiagnosis
import WebSocketProbe
import WebSocketScenarios

/// `ws1011 diagnose [URL] …`: the layered probe, a verdict with evidence, text / JSON / JUnit reports.
struct DiagnoseCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "diagnose",
        abstract: "Probe a WebSocket endpoint layer by layer and say which layer fails, with evidence.",
        discussion: """
            Walks DNS → TCP → TLS → upgrade → subprotocol → auth → ping/pong → messages → sustained \
            connection → agent events → close and stops at the first failing layer.
            Without a URL, starts the embedded lab and diagnoses it with the lab profile.
            Secrets: give a token or signing secret without argv (where ps, shell history and CI logs see it) \
            with --token-file/--secret-file (a path, or - for standard input) or WS1011_TOKEN/WS1011_JWT_SECRET. \
            Every secret is scrubbed from every output, also when the server echoes it back.
            Exit codes: 0 healthy, 1 a failure was diagnosed, 2 a usage or configuration error, \
            130 interrupted by SIGINT (143 SIGTERM): the partial report is still written.
            """)

    @Argument(help: "The ws:// or wss:// URL to probe. Omit it to diagnose the embedded lab.")
    var url: String?

    @Option(
        help: ArgumentHelp(
            "The application's contract to speak after the upgrade: a built-in profile (plain, echo, lab — alias reference —, netra, socketio; `ws1011 profiles` lists them) or a profile file (`ws1011 profiles init` writes a starter). Default: plain with a URL, lab without.",
            valueName: "NAME|FILE"))
    var profile: String?

    @Option(
        name: [.customShort("s"), .customLong("subprotocol")],
        help: ArgumentHelp("A subprotocol to offer (repeatable, offered in order).", valueName: "S"))
    var subprotocols: [String] = []

    @Option(
        name: [.customShort("H"), .customLong("header")],
        help: ArgumentHelp(
            "An extra request header 'Name: value' (repeatable). An Authorization header also turns on the auth-channel matrix.",
            valueName: "N: V"))
    var headers: [String] = []

    @Option(
        name: [.customLong("ca-file"), .customLong("cacert")],
        help: ArgumentHelp("A PEM file of extra trust roots (a private CA); --cacert is the same, as in curl.", valueName: "PEM"))
    var caFile: String?

    @Option(
        name: [.customShort("E"), .customLong("cert")],
        help: ArgumentHelp(
            "A PEM client certificate (chain, leaf first) for a front that requires mutual TLS; the file may hold the key too, as curl --cert.",
            valueName: "PEM"))
    var clientCertificate: String?

    @Option(
        name: .customLong("resolve"),
        help: ArgumentHelp(
            "HOST:PORT:ADDR[,ADDR…]: connect to these addresses instead of looking HOST up (repeatable), as curl --resolve; Host, SNI and the certificate name stay the URL's.",
            valueName: "H:P:A"))
    var resolve: [String] = []

    @Option(
        name: .customLong("connect-to"),
        help: ArgumentHelp(
            "HOST:PORT:CONNECT-HOST:CONNECT-PORT: connect there instead (repeatable; empty parts mean any / unchanged), as curl --connect-to.",
            valueName: "H:P:CH:CP"))
    var connectTo: [String] = []

    @Option(
        name: [.customShort("x"), .customLong("proxy")],
        help: ArgumentHelp(
            "Tunnel through this HTTP proxy with CONNECT: http://[USER:PASSWORD@]HOST[:PORT] (port 1080 when omitted), as curl -x. Without it https_proxy (wss://), http_proxy (ws://) or all_proxy apply; \"\" turns every proxy off. A password here is visible to ps: prefer the variables.",
            valueName: "URL"))
    var proxy: String?

    @Option(
        name: .customLong("noproxy"),
        help: ArgumentHelp(
            "Hosts that bypass the proxy, as NO_PROXY lists them (comma-separated names, domains, addresses, IPv4 ranges; * for all). Replaces NO_PROXY.",
            valueName: "LIST"))
    var noProxy: String?

    @Option(
        name: .customLong("key"),
        help: ArgumentHelp(
            "The PEM private key of --cert when it is in a file of its own (unencrypted; keep it readable only by you).", valueName: "PEM"))
    var clientKey: String?

    @Flag(name: [.customShort("k"), .long], help: "Turn TLS certificate verification off (the report says so), as curl -k.")
    var insecure = false

    @Flag(
        name: [.customShort("v"), .long],
        help: "Print a live trace of every frame to stderr: connection, direction, opcode, length, time, scrubbed preview.")
    var verbose = false

    @Option(
        name: .customLong("color"),
        help: ArgumentHelp("Colour the text report: auto (a terminal without NO_COLOR), always or never.", valueName: "WHEN"))
    var colour: ColourChoice = .auto

    @Flag(
        name: [.customShort("q"), .long],
        help:
            "Print nothing on stdout (no progress, no text report); the exit code, --json/--junit/--html files and errors still say what happened."
    )
    var quiet = false

    @Option(
        name: .customLong("connect-timeout"),
        help: ArgumentHelp("Bound of DNS + TCP, of the TLS handshake and of the upgrade, e.g. 10s, 500ms.", valueName: "D"))
    var connectTimeout = "10s"

    @Option(
        name: .customLong("message-timeout"),
        help: ArgumentHelp("Bound of each wait for a message, pong or event, e.g. 10s.", valueName: "D"))
    var messageTimeout = "10s"

    @Option(
        help: ArgumentHelp(
            "A token to send (redacted in every output). Prefer --token-file or WS1011_TOKEN: argv is visible to ps and shell history.",
            valueName: "T"))
    var token: String?

    @Option(
        name: .customLong("token-file"),
        help: ArgumentHelp("Read the token from PATH (- for standard input); one trailing newline is ignored.", valueName: "PATH"))
    var tokenFile: String?

    @Option(
        help: ArgumentHelp(
            "An HS256 signing secret: mint a token for --user locally (redacted in every output). Prefer --secret-file or WS1011_JWT_SECRET.",
            valueName: "S"))
    var secret: String?

    @Option(
        name: .customLong("secret-file"), help: ArgumentHelp("Read the signing secret from PATH (- for standard input).", valueName: "PATH")
    )
    var secretFile: String?

    @Option(
        name: .customLong("auth-channels"),
        help: ArgumentHelp(
            "The channels the auth-channel matrix may carry the credential by, comma-separated: subprotocol, header, query. Default: the channels you already chose (the profile's subprotocol and header; otherwise the header). query puts the credential in the URL, which fronts and load balancers log: it is only tried when named.",
            valueName: "LIST"))
    var authChannels: String?

    @Option(
        name: .customLong("max-time"),
        help: ArgumentHelp(
            "One bound on the whole run, timeout probes included (like curl -m), e.g. 2m. When it passes the run stops and the report says what was cut short.",
            valueName: "D"))
    var maxTime: String?

    @Option(help: ArgumentHelp("The test user's e-mail, for --secret or --auth-url.", valueName: "EMAIL"))
    var user: String?

    @Option(
        name: .customLong("auth-url"),
        help: ArgumentHelp(
            "An auth endpoint: POST {\"email\": USER} → access_token. A bare base URL (https://auth.example.com) means its /auth/token.",
            valueName: "URL"))
    var authURL: String?

    @Option(help: ArgumentHelp("The backend's own URL: run the same plan without the front, side by side.", valueName: "URL"))
    var direct: String?

    @Option(
        name: .customLong("idle-probe"),
        help: ArgumentHelp("Hold a silent connection up to D to discover an idle timeout, e.g. 70s.", valueName: "D"))
    var idleProbe: String?

    @Option(
        name: .customLong("lifetime-probe"),
        help: ArgumentHelp("Hold a connection with a ping every second up to D to discover a lifetime cap, e.g. 70s.", valueName: "D"))
    var lifetimeProbe: String?

    @Option(help: ArgumentHelp("Keep the main connection up with traffic for D, e.g. 35s.", valueName: "D"))
    var sustain: String?

    @Flag(
        name: .customLong("withhold-pongs"),
        help: "Do not answer the server's pings (a stalled client): shows whether the server's keepalive closes 1011.")
    var withholdPongs = false

    @Option(
        help: ArgumentHelp(
            "Our own keepalive: a ping every INTERVAL, give up with 1011 after TIMEOUT without a pong, e.g. 5s:10s.",
            valueName: "INTERVAL:TIMEOUT"))
    var keepalive: String?

    @Option(
        name: .customLong("message-size"),
        help: ArgumentHelp(
            "After the message flow, send one message of BYTES bytes and check the connection survives it (a size limit closes 1009).",
            valueName: "BYTES"))
    var messageSize: Int?

    @Option(
        help: ArgumentHelp(
            "After the main probe, hold N connections (1-1000) in parallel with a ping each every second, to see a reload, a deploy or one bad instance.",
            valueName: "N"))
    var connections: Int?

    @Option(
        name: .customLong("instance-header"),
        help: ArgumentHelp(
            "The response header in which your front names the backend instance that served a connection (looked for before X-Served-By and X-Backend-Server), so the --connections fleet is tallied by instance.",
            valueName: "NAME"))
    var instanceHeader: String?

    @Option(
        help: ArgumentHelp("How long the --connections fleet is held, e.g. 30s (default 10s; --max-time still bounds it).", valueName: "D"))
    var hold: String?

    @Option(
        help: ArgumentHelp(
            "Send this Origin on every upgrade, as a browser on that page would, e.g. https://app.example.com. Without it, an upgrade refused with 403/400 is retried once with the target's own origin to test the server's Origin check.",
            valueName: "ORIGIN"))
    var origin: String?

    @Flag(name: .customLong("no-auth-matrix"), help: "Skip the auth-channel matrix (subprotocol / header / query).")
    var noAuthMatrix = false

    @Flag(
        name: .customLong("no-h2"),
        help:
            "For wss://, skip the WebSockets-over-HTTP/2 check (ALPN h2, RFC 8441 extended CONNECT) that shows what Chrome and Firefox would do."
    )
    var noH2 = false

    @Flag(
        name: .customLong("http2"),
        help:
            "Run the whole plan over HTTP/2 (wss:// only): every WebSocket is an RFC 8441 extended CONNECT on an h2 stream, as Chrome and Firefox open it, with the same transcript (timings, frames, pings, and whether a close frame, RST_STREAM, GOAWAY or the TCP end closed it)."
    )
    var http2 = false

    @Option(
        help: ArgumentHelp(
            "Write the ws1011.report/1 JSON report to PATH; - writes it to stdout, and nothing else goes there.", valueName: "PATH"))
    var json: String?

    @Option(help: ArgumentHelp("Write a JUnit XML report (one test case per step) to PATH.", valueName: "PATH"))
    var junit: String?

    @Option(
        help: ArgumentHelp(
            "Write a self-contained HTML report (verdict, phases, a timeline of every connection) to PATH.", valueName: "PATH"))
    var html: String?

    // MARK: - Run

    func run() async throws {
        try OutputPath.check([("--json", json == "-" ? nil : json), ("--junit", junit), ("--html", html)])
        // Machine output on stdout (`--json -`) or none (`-q`): everything for a person goes elsewhere or nowhere.
        let jsonToStdout = json == "-"
        let textToStdout = !quiet && !jsonToStdout
        // Every secret on the command line is known to the output layer before anything is printed.
        Console.register(
            secrets: [token, secret].compactMap { $0 } + Self.proxySecrets(proxy, environment: ProcessInfo.processInfo.environment))
        Console.register(
            url: url, headers: (try? headers.map { text throws(ProbeError) in try HeaderFieldText.parse(text) }) ?? [],
            subprotocols: subprotocols)
        Console.register(url: direct)
        Console.register(url: authURL)
        var lab: LabProbeTarget?
        var plan: ProbePlan
        if let url {
            plan = try makePlan(target: try WebSocketURL(parsing: url), defaultProfile: .plain)
        } else {
            guard token == nil, secret == nil, tokenFile == nil, secretFile == nil, authURL == nil, direct == nil else {
                throw UsageError(
                    "--token, --token-file, --secret, --secret-file, --auth-url and --direct need a URL; without a URL ws1011 diagnoses its embedded lab"
                )
            }
            let started = try await LabProbeTarget.start()
            lab = started
            do {
                plan = try makePlan(target: started.url, defaultProfile: .reference)
                try await started.authorize(&plan)
            } catch {
                await started.shutdown()
                throw error
            }
            if textToStdout { Console.out("Started the embedded lab at \(started.url) (user \(started.user.email)).\n\n") }
        }
        Console.register(secrets: plan.token.secrets)
        if verbose {
            let start = ContinuousClock.now
            plan.frameObserver = { name, frame in
                let arrow = frame.direction == .inbound ? "<-" : "->"
                let preview = frame.preview.map { " " + $0 } ?? ""
                let t = String(format: "%8.1fms", (ContinuousClock.now - start).milliseconds)
                Console.error("\(t) \(name) \(arrow) \(frame.opcode) \(frame.length)B\(frame.fin ? "" : " (not fin)")\(preview)")
            }
        }
        let progress = quiet ? nil : TerminalProgress.sinkIfTerminal(redactor: Console.redactor.adding(secrets: plan.token.secrets))
        let runner = ProbeRunner(plan: plan, progress: progress)
        // The first SIGINT/SIGTERM stops the probes and the partial report is written; a second exits at once.
        let signals = SignalStop.install { runner.stop.stop(.signal($0)) }
        defer { signals.cancel() }
        let outcome: ProbeRunner.Outcome
        do {
            outcome = try await runner.execute()
        } catch {
            await lab?.shutdown()
            throw error
        }
        // Read once, as the run ended: a signal during shutdown or rendering does not change what the report says.
        let stopReason = outcome.report.interruption != nil ? runner.stop.reason : nil
        await lab?.shutdown()
        let report = outcome.report
        Console.register(secrets: outcome.redactor.knownSecrets)
        let redactor = Console.redactor.adding(secrets: secretsGiven(plan))
        if textToStdout {
            var layout = TextLayout.current(environment: ProcessInfo.processInfo.environment)
            switch colour {
            case .always: layout.colour = true
            case .never: layout.colour = false
            case .auto: break
            }
            let colour = layout.colour
            let unicode = layout.unicode
            Console.out(
                TextReportRenderer.render(report, redactor: redactor, layout: layout),
                decorate: colour ? { TextLayout.coloured($0, unicode: unicode) } : nil)
        }
        if jsonToStdout {
            Console.out(try JSONReportRenderer.render(report, redactor: redactor))
        } else if let json {
            try write(try JSONReportRenderer.render(report, redactor: redactor), to: json, what: "--json")
        }
        if let junit { try write(JUnitReportRenderer.render(report, redactor: redactor), to: junit, what: "--junit") }
        if let html { try write(HTMLReportRenderer.render(report, redactor: redactor), to: html, what: "--html") }
        if case .signal(let sig)? = stopReason { throw ExitCode(128 + sig) }
        if report.verdict.layer != .healthy { throw ExitCode(1) }
    }

    // MARK: - Options → plan

    /// Parses the options into a plan (no I/O besides checking the CA file).
    func makePlan(target: WebSocketURL, defaultProfile: ApplicationProfile) throws -> ProbePlan {
        var options = ProbeOptions()
        options.profile = profile
        options.defaultProfile = defaultProfile
        options.subprotocols = subprotocols
        options.headers = try headers.map { text throws(ProbeError) in try HeaderFieldText.parse(text) }
        options.caFile = caFile
        options.insecure = insecure
        options.clientCertificateFile = clientCertificate
        options.clientKeyFile = clientKey
        options.proxy = try proxySettings(for: target, environment: ProcessInfo.processInfo.environment)
        options.routes =
            try connectTo.map { text throws(ProbeError) in try ConnectRoute.parseConnectTo(text) }
            + resolve.map { text throws(ProbeError) in try ConnectRoute.parseResolve(text) }
        options.connectTimeout = try duration(connectTimeout, "--connect-timeout")
        options.messageTimeout = try duration(messageTimeout, "--message-timeout")
        options.direct = try direct.map { text throws(ProbeError) in try WebSocketURL(parsing: text) }
        options.idleProbe = try idleProbe.map { try duration($0, "--idle-probe") }
        options.lifetimeProbe = try lifetimeProbe.map { try duration($0, "--lifetime-probe") }
        options.sustain = try sustain.map { try duration($0, "--sustain") }
        options.withholdPongs = withholdPongs
        if let keepalive {
            let parts = keepalive.split(separator: ":", omittingEmptySubsequences: false).map(String.init)
            guard parts.count == 2 else {
                throw UsageError("--keepalive takes INTERVAL:TIMEOUT, e.g. 5s:10s (got '\(keepalive)')")
            }
            options.keepalive = .init(
                interval: try duration(parts[0], "--keepalive (interval)"), timeout: try duration(parts[1], "--keepalive (timeout)"))
        }
        options.messageSize = messageSize
        options.connections = connections
        options.instanceHeader = instanceHeader
        options.fleetHold = try hold.map { try duration($0, "--hold") }
        options.maxTime = try maxTime.map { try duration($0, "--max-time") }
        options.origin = origin
        options.authChannelMatrix = !noAuthMatrix
        options.http2Check = !noH2
        options.http2 = http2
        options.authChannels = try authChannels.map { try Self.parseChannels($0) }
        options.token = try tokenSource()
        return try options.plan(for: target)
    }

    /// `subprotocol,header,query` → the channels, in order, each once.
    static func parseChannels(_ text: String) throws -> [AuthChannel] {
        var channels: [AuthChannel] = []
        for raw in text.split(separator: ",", omittingEmptySubsequences: false) {
            let name = raw.trimmingCharacters(in: .whitespaces).lowercased()
            guard let channel = AuthChannel(rawValue: name), channel != .none else {
                throw UsageError("--auth-channels: unknown channel '\(name)'; use a comma-separated list of subprotocol, header, query")
            }
            if !channels.contains(channel) { channels.append(channel) }
        }
        return channels
    }

    private func tokenSource() throws -> TokenSource {
        let givenToken = try tokenGiven()
        let givenSecret = try secretGiven()
        let sources = [givenToken != nil, givenSecret != nil, authURL != nil].filter { $0 }.count
        guard sources <= 1 else {
            throw UsageError(
                "give only one of --token/--token-file/WS1011_TOKEN, --secret/--secret-file/WS1011_JWT_SECRET (with --user) or --auth-url (with --user)"
            )
        }
        if let token = givenToken { return .literal(token) }
        if let secret = givenSecret {
            guard let user else { throw UsageError("--secret needs --user EMAIL: the user the token is minted for") }
            if let warning = TokenMinter.shortSecretWarning(secret) { Console.error("ws1011: warning: \(warning)") }
            return .mint(secret: secret, email: user)
        }
        if let authURL {
            guard let user else { throw UsageError("--auth-url needs --user EMAIL: the user to ask a token for") }
            return .fetch(authURL: authURL, email: user)
        }
        if user != nil { throw UsageError("--user needs --secret or --auth-url") }
        return .none
    }

    /// The token from --token, --token-file or (when neither is given) WS1011_TOKEN; checked for
    /// control characters, which would be silently altered or split the request.
    private func tokenGiven() throws -> String? {
        guard token == nil || tokenFile == nil else { throw UsageError("give --token or --token-file, not both") }
        if let token {
            try SecretInput.check(token, option: "--token")
            return token
        }
        if let tokenFile { return try registered(SecretInput.read(path: tokenFile, option: "--token-file")) }
        if secret == nil, secretFile == nil, authURL == nil, let token = try SecretInput.environment("WS1011_TOKEN") {
            // Said, because the variable may have been set for another endpoint than this one.
            Console.error("ws1011: sending the token in $WS1011_TOKEN")
            return registered(token)
        }
        return nil
    }

    /// The signing secret from --secret, --secret-file or (when neither is given) WS1011_JWT_SECRET.
    private func secretGiven() throws -> String? {
        guard secret == nil || secretFile == nil else { throw UsageError("give --secret or --secret-file, not both") }
        if let secret {
            try SecretInput.check(secret, option: "--secret")
            return secret
        }
        if let secretFile { return try registered(SecretInput.read(path: secretFile, option: "--secret-file")) }
        if token == nil, tokenFile == nil, authURL == nil, user != nil, let secret = try SecretInput.environment("WS1011_JWT_SECRET") {
            Console.error("ws1011: minting a token with the signing secret in $WS1011_JWT_SECRET")
            return registered(secret)
        }
        return nil
    }

    /// Registers a secret read from a file or the environment with the output layer, then returns it.
    private func registered(_ secret: String) -> String {
        Console.register(secrets: [secret])
        return secret
    }

    private func duration(_ text: String, _ option: String) throws -> Duration {
        guard let d = DurationText.parse(text), d > .zero else { throw UsageError(DurationText.syntaxHelp(text, option: option)) }
        return d
    }

    private func secretsGiven(_ plan: ProbePlan) -> [String] {
        plan.token.secrets + [token, secret].compactMap { $0 } + (plan.proxy?.secrets ?? [])
    }

    /// The proxy for `target`: `--proxy` (with `--noproxy` or `NO_PROXY` as its exemptions), else the one the
    /// environment names, as curl picks it. The embedded lab (no URL) is on loopback: only `--proxy` applies.
    func proxySettings(for target: WebSocketURL, environment: [String: String]) throws -> ProxySettings? {
        if let proxy {
            guard !proxy.isEmpty else { return nil }
            var settings = try ProxySettings.parse(proxy, source: "--proxy")
            settings.exemptions = noProxy ?? environment["no_proxy"] ?? environment["NO_PROXY"] ?? ""
            return settings
        }
        guard url != nil else { return nil }
        var environment = environment
        if let noProxy {
            environment["no_proxy"] = noProxy
            environment["NO_PROXY"] = noProxy
        }
        return try ProxySettings.fromEnvironment(environment, for: target)
    }

    /// The credentials of every proxy URL given (`--proxy`, the proxy variables), known to the output layer
    /// before anything is printed; an unparsable one is reported later without them.
    static func proxySecrets(_ proxy: String?, environment: [String: String]) -> [String] {
        let texts = [proxy] + ["https_proxy", "HTTPS_PROXY", "http_proxy", "all_proxy", "ALL_PROXY"].map { environment[$0] }
        return texts.compactMap { $0 }.flatMap { text -> [String] in
            guard let settings = try? ProxySettings.parse(text, source: "") else {
                // The user part as written, when it cannot be parsed: never shown.
                guard let at = text.lastIndex(of: "@") else { return [] }
                let start = text.range(of: "://")?.upperBound ?? text.startIndex
                return start < at ? [String(text[start..<at])] : []
            }
            return settings.secrets
        }
    }

    private func write(_ text: String, to path: String, what: String) throws {
        do {
            // Atomically: a second Ctrl-C while it is written leaves the old file or the new one, never half.
            try Data(text.utf8).write(to: URL(fileURLWithPath: path), options: .atomic)
        } catch {
            throw UsageError("cannot write the \(what) report to '\(path)': \(error.localizedDescription). Give a writable path")
        }
    }
}

/// `--color WHEN`.
enum ColourChoice: String, ExpressibleByArgument, CaseIterable {
    case auto, always, never
}
