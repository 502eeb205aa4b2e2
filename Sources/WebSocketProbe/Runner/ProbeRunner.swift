import Foundation
import NIOCore
import WebSocketDiagnosis

/// Runs a ``ProbePlan`` layer by layer — resolve → connect → TLS → upgrade → subprotocol → auth →
/// ping/pong → message flow → sustained connection → agent events → close — and returns the
/// classified ``DiagnosisReport``.
///
/// Stops at the first failing layer (later steps are `skipped` with the reason). With `--direct`
/// the same plan runs side by side against the backend; the auth-channel matrix and the timeout
/// probes run after the main attempt. Never throws for what a peer or the network does: only
/// configuration problems (an unusable token source) are thrown.
public struct ProbeRunner: Sendable {
    /// The plan to run.
    public var plan: ProbePlan
    /// Receives live progress of long steps (default none: quiet).
    public var progress: ProbeProgressSink?
    /// The source of time for bounds and progress (default the real monotonic clock).
    public var clock: ProbeClock
    /// Event loops for every connection (default `MultiThreadedEventLoopGroup.singleton`).
    public var eventLoopGroup: (any EventLoopGroup)?

    /// A runner for `plan`.
    public init(plan: ProbePlan, progress: ProbeProgressSink? = nil, clock: ProbeClock = .continuous, eventLoopGroup: (any EventLoopGroup)? = nil) {
        self.plan = plan
        self.progress = progress
        self.clock = clock
        self.eventLoopGroup = eventLoopGroup
    }

    /// The outcome of one layered attempt against one URL.
    public struct Attempt: Sendable {
        /// The transcript of the attempt (closed or snapshot at the end).
        public var transcript: ConnectionTranscript
        /// The layered steps, in order.
        public var steps: [ProbeStep]
        /// What was expected and seen at the application level.
        public var expectations: ProbeExpectations
        /// How long a `sustain` held, when one ran.
        public var sustainedMs: Double?
    }

    // MARK: - Running

    /// A finished run: the report and the redactor that knows every secret the run used
    /// (the token, also when it was minted or fetched), for rendering.
    public struct Outcome: Sendable {
        /// The classified, redacted report.
        public var report: DiagnosisReport
        /// Scrubs every secret of the run; pass it to the renderers.
        public var redactor: Redactor
    }

    /// Runs the whole plan and classifies the result.
    /// - Throws: ``ProbeError`` when the token cannot be obtained (bad `--auth-url`, unusable secret).
    public func run() async throws(ProbeError) -> DiagnosisReport {
        try await execute().report
    }

    /// Runs the whole plan and returns the report with the run's redactor.
    /// - Throws: ``ProbeError`` when the token cannot be obtained (bad `--auth-url`, unusable secret).
    public func execute() async throws(ProbeError) -> Outcome {
        let token = try await resolveToken()
        let redactor = self.redactor(token: token)

        async let frontAttempt = attempt(url: plan.target, token: token, redactor: redactor, path: "front")
        let directAttempt: Attempt?
        if let direct = plan.direct {
            directAttempt = await attempt(url: direct, token: token, redactor: redactor, path: "direct")
        } else {
            directAttempt = nil
        }
        let front = await frontAttempt

        let authChannels: [AuthChannelResult]? = await authChannelMatrix(token: token, redactor: redactor)
        var measurements = await discoverTimeouts(token: token, redactor: redactor)
        if let sustain = plan.sustain {
            var m = measurements ?? Measurements()
            m.sustainRequestedMs = sustain.milliseconds
            m.sustainedMs = front.sustainedMs
            measurements = m
        }

        let input = ClassificationInput(
            transcript: front.transcript, direct: directAttempt?.transcript, steps: front.steps,
            directSteps: directAttempt?.steps, measurements: measurements, authChannels: authChannels,
            expectations: front.expectations)
        let verdict = FailureClassifier.classify(input)
        let report = DiagnosisReport(
            target: redactor.url(plan.target.description), verdict: verdict, steps: front.steps,
            transcript: front.transcript, directTranscript: directAttempt?.transcript,
            measurements: measurements, authChannels: authChannels, directSteps: directAttempt?.steps)
        return Outcome(report: Self.redacted(report, with: redactor), redactor: redactor)
    }

    /// The token the plan uses, obtained from its ``TokenSource`` (literal, minted, fetched), or `nil`.
    public func resolveToken() async throws(ProbeError) -> String? {
        switch plan.token {
        case .none:
            return nil
        case .literal(let token):
            guard !token.isEmpty else { throw ProbeError.invalidConfiguration("--token is empty") }
            return token
        case .mint(let secret, let email):
            guard !secret.isEmpty, !email.isEmpty else {
                throw ProbeError.invalidConfiguration("--secret and --user must both be non-empty to mint a token")
            }
            do {
                return try TokenMinter.mint(secret: secret, user: email)
            } catch {
                throw ProbeError.invalidConfiguration("cannot mint a token for '\(email)': \(Redactor().adding(secrets: [secret]).text(String(describing: error)))")
            }
        case .fetch(let authURL, let email):
            let fetcher = AuthTokenFetcher(authURL: authURL, email: email, tls: plan.tls, timeout: plan.timeouts.connect + plan.timeouts.message)
            return try await fetcher.fetch(eventLoopGroup: eventLoopGroup)
        }
    }

    /// The redactor for everything this run records: the defaults plus the token (raw and base64url),
    /// the plan's secrets and the credentials in its headers.
    public func redactor(token: String?) -> Redactor {
        var secrets = plan.token.secrets + plan.extraSecrets
        // Every form the token travels in: raw (header), base64url (subprotocol), percent-encoded (query).
        if let token { secrets += [token, Self.base64url(token), Self.queryEncoded(token)] }
        for header in plan.headers where Redactor().secretHeaders.contains(header.name.lowercased()) {
            secrets.append(header.value)
            if let space = header.value.firstIndex(of: " ") {
                secrets.append(String(header.value[header.value.index(after: space)...]).trimmingCharacters(in: .whitespaces))
            }
        }
        return Redactor().adding(secrets: secrets)
    }

    /// The token as it is written in the `token=` query parameter.
    static func queryEncoded(_ token: String) -> String {
        token.addingPercentEncoding(withAllowedCharacters: .urlQueryAllowed.subtracting(CharacterSet(charactersIn: "&=+#"))) ?? token
    }

    // MARK: - Configuration

    /// How the main attempt carries the token: the subprotocol for `reference`, else an
    /// `Authorization` header (unless one is given already); `nil` without a token.
    func mainChannel(token: String?) -> AuthChannel? {
        guard token != nil else { return nil }
        if plan.profile == .reference { return .subprotocol }
        if plan.headers.first(named: "Authorization") != nil { return nil }
        return .header
    }

    /// The client configuration for one connection to `url`, carrying `token` by `channel`.
    func clientConfiguration(url: WebSocketURL, channel: AuthChannel?, token: String?, redactor: Redactor,
                             dropGivenAuthorization: Bool = false) -> ClientConfiguration {
        var target = url
        var configuration = ClientConfiguration(url: url)
        configuration.headers = dropGivenAuthorization ? plan.headers.filter { $0.name.lowercased() != "authorization" } : plan.headers
        configuration.subprotocols = plan.subprotocols
        if let token, let channel {
            switch channel {
            case .subprotocol:
                configuration.subprotocols = ["jwt-auth", "jwt." + Self.base64url(token)] + plan.subprotocols
            case .header:
                configuration.headers.removeAll { $0.name.lowercased() == "authorization" }
                configuration.headers.append(HeaderField("Authorization", "Bearer \(token)"))
            case .query:
                let encoded = Self.queryEncoded(token)
                let separator = url.resource.contains("?") ? "&" : "?"
                target = url.replacing(resource: url.resource + separator + "token=" + encoded)
            case .none:
                break
            }
        }
        configuration.url = target
        configuration.tls = plan.tls
        configuration.timeouts = plan.timeouts
        configuration.redactor = redactor
        configuration.answerPings = !plan.withholdPongs
        configuration.keepalive = plan.keepalive
        return configuration
    }

    /// Base64url without padding (the `jwt.<token>` subprotocol entry).
    static func base64url(_ text: String) -> String { Redactor.base64url(text) }

    /// A final scrub of every free-text field a report carries (step details, verdict words).
    static func redacted(_ report: DiagnosisReport, with redactor: Redactor) -> DiagnosisReport {
        var r = report
        r.steps = r.steps.map { var s = $0; s.detail = redactor.text(s.detail); return s }
        r.directSteps = r.directSteps?.map { var s = $0; s.detail = redactor.text(s.detail); return s }
        r.verdict.summary = redactor.text(r.verdict.summary)
        r.verdict.evidence = r.verdict.evidence.map { Evidence(rule: $0.rule, observation: redactor.text($0.observation)) }
        r.authChannels = r.authChannels?.map { var a = $0; a.detail = redactor.text(a.detail); return a }
        return r
    }

    func report(_ activity: String, _ waitingFor: String, elapsed: Duration, total: Duration?, finished: Bool = false) {
        progress?(ProbeProgress(activity: activity, waitingFor: waitingFor, elapsed: elapsed, total: total, finished: finished))
    }
}
