import WebSocketDiagnosis

extension ProbeRunner {
    /// Checks WebSockets over HTTP/2 (RFC 8441) on a connection of its own, as Chrome and Firefox would
    /// open them: ALPN `h2`, the server's SETTINGS, the extended CONNECT, one ping and the profile's first
    /// message, when it has one (``HTTP2WebSocketCheck``, ``HTTP2CheckMessage``).
    ///
    /// Runs for `wss://` targets unless turned off (`--no-h2`), after the HTTP/1.1 attempt, and only when
    /// that attempt's TCP and TLS worked (otherwise its own failure is what to fix). It sends the same
    /// subprotocols and credential as the main attempt, is bounded by the plan's timeouts and ends when the
    /// run's ``stop`` fires.
    /// - Returns: the observation (not yet scrubbed: the report boundary does that), or `nil` when the check
    ///   does not apply or the run was stopped.
    public func http2Check(front: Attempt, token: String?, redactor: Redactor) async -> HTTP2Observation? {
        guard plan.http2Check, plan.transport == .http1, plan.target.isSecure, !stop.isStopped,
            front.steps.first(where: { $0.name == .tls })?.status == .passed
        else { return nil }
        stop.enter("h2")
        let configuration = clientConfiguration(url: plan.target, channel: mainChannel(token: token), token: token, redactor: redactor)
        let message = HTTP2CheckMessage.first(of: plan.profile, token: token, messageBound: plan.timeouts.message)
        let observation = await HTTP2WebSocketCheck(configuration: configuration, message: message).run(
            eventLoopGroup: eventLoopGroup, stop: stop)
        return stop.isStopped ? nil : observation
    }

    /// The main attempt with its `h2` step decided: the check's outcome, or why it did not run (`ws://`,
    /// `--no-h2`); otherwise the step stays as the attempt's ledger left it (not run, and why).
    func withHTTP2Step(_ attempt: Attempt, _ observation: HTTP2Observation?) -> Attempt {
        let step: ProbeStep
        if let observation {
            step = observation.step
        } else if !plan.target.isSecure {
            step = ProbeStep(name: .h2, status: .skipped, detail: "ws:// has no TLS: browsers speak HTTP/2 only over TLS")
        } else if plan.transport == .http2 {
            step = ProbeStep(name: .h2, status: .skipped, detail: "the run itself went over HTTP/2 (--http2): see the transcript")
        } else if !plan.http2Check {
            step = ProbeStep(name: .h2, status: .skipped, detail: "turned off (--no-h2)")
        } else {
            return attempt
        }
        var attempt = attempt
        if let index = attempt.steps.firstIndex(where: { $0.name == .h2 }) {
            attempt.steps[index] = step
        } else {
            attempt.steps.append(step)
        }
        return attempt
    }
}
