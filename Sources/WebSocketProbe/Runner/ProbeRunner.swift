import Foundation
import NIOCore
import WebSocketAuth
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
    /// Ends the run early (`--max-time`, a signal): call ``RunStop/stop(_:)`` from anywhere; the run
    /// returns a report of what it did (default a fresh stop of its own).
    public var stop: RunStop = RunStop()

    /// A runner for `plan`.
    public init(
        plan: ProbePlan, progress: ProbeProgressSink? = nil, clock: ProbeClock = .continuous, eventLoopGroup: (any EventLoopGroup)? = nil
    ) {
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
        /// Where the application did not speak the plan's profile, when it did not.
        public var contract: ContractObservation? = nil
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
    ///
    /// When the run's ``stop`` fires (`--max-time`, a signal), every connection is aborted and the run
    /// ends within ``stopGrace``, even in a phase that cannot be cut (a TCP connect, the token fetch): the
    /// report is then assembled from what had finished.
    /// - Throws: ``ProbeError`` when the token cannot be obtained (bad `--auth-url`, unusable secret).
    public func execute() async throws(ProbeError) -> Outcome {
        // One bound on the whole run: when it passes, the stop aborts every connection of the run.
        let stop = self.stop
        let clock = self.clock
        let maxTimeTask = plan.maxTime.map { bound in
            Task {
                try? await clock.sleep(bound)
                if !Task.isCancelled { stop.stop(.maxTime(bound)) }
            }
        }
        defer { maxTimeTask?.cancel() }

        let progress = RunProgress()
        let race = FirstResult<Result<Outcome, ProbeError>>()
        let runner = self
        let planTask = Task {
            do throws(ProbeError) {
                try await runner.runPlan(progress)
                race.offer(.success(runner.assemble(progress)))
            } catch {
                race.offer(.failure(error))
            }
        }
        let watchTask = Task {
            while !stop.isStopped && !Task.isCancelled { try? await Task.sleep(for: .milliseconds(50)) }
            guard !Task.isCancelled else { return }
            try? await Task.sleep(for: Self.stopGrace)
            guard !Task.isCancelled else { return }
            // The plan is stuck where an abort cannot reach (connecting, fetching the token): report what finished.
            race.offer(.success(runner.assemble(progress)))
        }
        let result = await race.value
        watchTask.cancel()
        _ = planTask  // left to end on its own bounds; its connections were aborted by the stop
        return try result.get()
    }

    /// How long a stopped run may take to wind down before its report is assembled from what finished.
    public static let stopGrace: Duration = .seconds(2)

    /// Runs every part of the plan, recording each result in `progress` as it finishes.
    func runPlan(_ progress: RunProgress) async throws(ProbeError) {
        stop.enter("token")
        let token = try await resolveToken()
        let redactor = self.redactor(token: token)
        progress.update { $0.redactor = redactor }

        async let frontAttempt = attempt(url: plan.target, token: token, redactor: redactor, path: .front)
        if let direct = plan.direct {
            let directAttempt = await attempt(url: direct, token: token, redactor: redactor, path: .direct)
            progress.update { $0.direct = directAttempt }
        }
        let front = await frontAttempt
        progress.update {
            $0.front = front
            $0.mainInterrupted = stop.isStopped
        }
        let http2 = await http2Check(front: front, token: token, redactor: redactor)
        progress.update { $0.http2 = http2 }
        stop.enter("origin-check")
        let originCheck = stop.isStopped ? nil : await self.originCheck(front: front, token: token, redactor: redactor)
        progress.update { $0.originCheck = originCheck }

        stop.enter("auth-channels")
        let authChannels: [AuthChannelResult]? = stop.isStopped ? nil : await authChannelMatrix(token: token, redactor: redactor)
        progress.update { $0.authChannels = authChannels }
        stop.enter("timeout-discovery")
        let measurements = stop.isStopped ? nil : await discoverTimeouts(token: token, redactor: redactor)
        progress.update { $0.measurements = measurements }
        let fleet = stop.isStopped ? nil : await holdFleet(token: token, redactor: redactor)
        progress.update { $0.fleet = fleet }
    }

    /// The report of what `progress` holds: the whole run, or the part that finished before a stop.
    func assemble(_ progress: RunProgress) -> Outcome {
        let done = progress.snapshot
        let redactor = done.redactor ?? self.redactor(token: nil)
        let front = withHTTP2Step(
            done.front ?? Self.unfinishedAttempt(plan.target, redactor: redactor, stop: stop, profile: plan.profile), done.http2)
        var measurements = done.measurements
        if let sustain = plan.sustain {
            var m = measurements ?? Measurements()
            m.sustainRequestedMs = sustain.milliseconds
            m.sustainedMs = front.sustainedMs
            measurements = m
        }
        var input = ClassificationInput(
            transcript: front.transcript, direct: done.direct?.transcript, steps: front.steps,
            directSteps: done.direct?.steps, measurements: measurements, authChannels: done.authChannels,
            expectations: front.expectations)
        let interruption = stop.reason.map {
            Interruption(
                by: $0.name, detail: $0.phrase, during: stop.activity, mainAttemptInterrupted: done.front == nil || done.mainInterrupted)
        }
        input.interruption = interruption
        input.originCheck = done.originCheck
        input.http2 = done.http2
        input.fleet = done.fleet
        input.contract = front.contract
        let verdict = FailureClassifier.classify(input)
        var report = DiagnosisReport(
            target: redactor.url(plan.target.description), verdict: verdict, steps: front.steps,
            transcript: front.transcript, directTranscript: done.direct?.transcript,
            measurements: measurements, authChannels: done.authChannels, directSteps: done.direct?.steps)
        report.interruption = interruption
        report.http2 = done.http2
        report.fleet = done.fleet
        report.contract = front.contract
        return Outcome(report: Self.redacted(report, with: redactor), redactor: redactor)
    }

    /// The main attempt of a run stopped before it finished (stuck connecting or fetching the token):
    /// every step not run, the one in progress marked interrupted.
    static func unfinishedAttempt(_ target: WebSocketURL, redactor: Redactor, stop: RunStop, profile: ApplicationProfile) -> Attempt {
        var ledger = StepLedger()
        ledger.interrupt(stop.reason?.phrase ?? "stopped")
        let transcript = ConnectionTranscript(
            target: TargetDescription(
                url: redactor.url(target.description), scheme: target.scheme, host: target.host, port: target.port,
                resource: redactor.url(target.resource)))
        return Attempt(
            transcript: transcript, steps: ledger.steps, expectations: ProbeExpectations(profile: profile.name), sustainedMs: nil)
    }

    /// Opens a connection registered with the run's stop, so that a stop ends every wait on it.
    func open(_ configuration: ClientConfiguration) async -> WebSocketConnection {
        await WebSocketConnection.connect(configuration, eventLoopGroup: eventLoopGroup, stop: stop)
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
                throw ProbeError.invalidConfiguration(
                    "cannot mint a token for '\(email)': \(Redactor().adding(secrets: [secret]).text(String(describing: error)))")
            }
        case .fetch(let authURL, let email):
            let fetcher = AuthTokenFetcher(
                authURL: authURL, email: email, tls: plan.tls, timeout: plan.timeouts.connect + plan.timeouts.message)
            return try await fetcher.fetch(eventLoopGroup: eventLoopGroup)
        }
    }

    /// The redactor for everything this run records: the defaults plus the token in every form it
    /// travels in, the plan's secrets, and every secret the plan's request carries (secret-named query
    /// parameters and userinfo of the target and direct URLs, secret headers, token-bearing subprotocols).
    public func redactor(token: String?) -> Redactor {
        var secrets = plan.token.secrets + plan.extraSecrets
        if let token { secrets.append(token) }
        if case .fetch(let authURL, _) = plan.token { secrets += Redactor().secrets(inURL: authURL) }
        return Redactor()
            .adding(url: plan.target.description, headers: plan.headers, subprotocols: plan.subprotocols)
            .adding(url: plan.direct?.description)
            .adding(secrets: secrets)
    }

    /// The token as it is written in the `token=` query parameter.
    static func queryEncoded(_ token: String) -> String { Redactor.queryEncoded(token) }

    // MARK: - Configuration

    /// How the main attempt carries the token: the profile's channel (``ApplicationProfile/Auth/mainChannel``;
    /// a header channel yields to an `Authorization` header given already); `nil` without a token.
    func mainChannel(token: String?) -> AuthChannel? {
        guard token != nil else { return nil }
        let channel = plan.profile.auth.mainChannel
        if channel == .header, plan.headers.first(named: plan.profile.auth.header?.name ?? "Authorization") != nil { return nil }
        return channel
    }

    /// The client configuration for one connection to `url`, carrying `token` by `channel` in the shapes the
    /// plan's profile gives (subprotocol entries, header, query parameter), at the profile's path.
    func clientConfiguration(
        url: WebSocketURL, channel: AuthChannel?, token: String?, redactor: Redactor,
        dropGivenAuthorization: Bool = false
    ) -> ClientConfiguration {
        let auth = plan.profile.auth
        var target = Self.profileTarget(url, plan.profile.connect)
        var configuration = ClientConfiguration(url: target)
        if let observer = plan.frameObserver {
            let activity = stop.activity
            let name =
                (activity == "token" || activity.hasPrefix("connect") ? "main" : activity)
                + (url.description == plan.target.description ? "" : " (direct)")
            configuration.frameObserver = { observer(name, $0) }
        }
        configuration.headers = dropGivenAuthorization ? plan.headers.filter { $0.name.lowercased() != "authorization" } : plan.headers
        configuration.subprotocols = plan.profile.connect.subprotocols + plan.subprotocols
        if let origin = plan.origin, configuration.headers.first(named: "Origin") == nil {
            configuration.headers.append(HeaderField("Origin", origin))
        }
        if let token, let channel {
            switch channel {
            case .subprotocol:
                let entries = auth.subprotocols.isEmpty ? ApplicationProfile.lab.auth.subprotocols : auth.subprotocols
                configuration.subprotocols = entries.map { ProfileTemplate.render($0, token: token) } + configuration.subprotocols
            case .header:
                let header = auth.header ?? ApplicationProfile.HeaderTemplate(name: "Authorization", value: "Bearer {token}")
                configuration.headers.removeAll { $0.name.lowercased() == header.name.lowercased() }
                configuration.headers.append(HeaderField(header.name, ProfileTemplate.render(header.value, token: token)))
            case .query:
                let encoded = Self.queryEncoded(token)
                let separator = target.resource.contains("?") ? "&" : "?"
                target = target.replacing(resource: target.resource + separator + (auth.queryParameter ?? "token") + "=" + encoded)
            case .none:
                break
            }
        }
        if case .none = auth.selects { configuration.requireSubprotocolSelection = false }
        configuration.url = target
        configuration.tls = plan.tls
        configuration.routes = plan.routes
        configuration.proxy = plan.proxy
        configuration.timeouts = plan.timeouts
        configuration.transport = plan.transport
        configuration.redactor = redactor
        configuration.answerPings = !plan.withholdPongs
        configuration.keepalive = plan.keepalive
        return configuration
    }

    /// `url` at the profile's path (when the URL gives none) with its query items added (when missing).
    static func profileTarget(_ url: WebSocketURL, _ connect: ApplicationProfile.Connect) -> WebSocketURL { connect.target(for: url) }

    /// Base64url without padding (the `jwt.<token>` subprotocol entry).
    static func base64url(_ text: String) -> String { Redactor.base64url(text) }

    /// A final scrub of every text field a report carries (steps, verdict, transcripts, auth channels).
    static func redacted(_ report: DiagnosisReport, with redactor: Redactor) -> DiagnosisReport {
        report.redacted(by: redactor)
    }

    func report(_ activity: String, _ waitingFor: String, elapsed: Duration, total: Duration?, finished: Bool = false) {
        progress?(ProbeProgress(activity: activity, waitingFor: waitingFor, elapsed: elapsed, total: total, finished: finished))
    }
}
