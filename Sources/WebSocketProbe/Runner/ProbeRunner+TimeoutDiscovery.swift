import WebSocketDiagnosis
import WebSocketWire

extension ProbeRunner {
    /// Runs the idle probe (a silent connection held up to ``ProbePlan/idleProbe``) and the lifetime
    /// probe (a ping every ``ProbePlan/trafficInterval`` up to ``ProbePlan/lifetimeProbe``) concurrently.
    /// With ``ProbePlan/direct`` the same two probes run direct to the backend at the same time, so the
    /// classifier can tell an application's own timeout (the same cut direct) from the front's (front only).
    /// `nil` when neither was asked for.
    public func discoverTimeouts(token: String?, redactor: Redactor) async -> Measurements? {
        guard plan.idleProbe != nil || plan.lifetimeProbe != nil else { return nil }
        let probes =
            plan.idleProbe != nil && plan.lifetimeProbe != nil
            ? "idle-probe and lifetime-probe" : plan.idleProbe != nil ? "idle-probe" : "lifetime-probe"
        stop.enter(plan.direct == nil ? probes : probes + " (front and direct)")
        let direct = plan.direct
        async let idle = holdConnection(for: plan.idleProbe, withPings: false, token: token, redactor: redactor)
        async let lifetime = holdConnection(for: plan.lifetimeProbe, withPings: true, token: token, redactor: redactor)
        async let directIdle = holdConnection(
            for: direct == nil ? nil : plan.idleProbe, withPings: false, token: token, redactor: redactor, url: direct)
        async let directLifetime = holdConnection(
            for: direct == nil ? nil : plan.lifetimeProbe, withPings: true, token: token, redactor: redactor, url: direct)
        let (i, l, di, dl) = await (idle, lifetime, directIdle, directLifetime)
        // A probe cut short by the run's stop held its connection only as long as it ran: that is the
        // probe length reported, with no limit measured (the connection outlived what was tried).
        var m = Measurements(
            idleTimeoutMs: i?.endedAfterMs, lifetimeMs: l?.endedAfterMs,
            idleProbeMs: i?.heldMs ?? plan.idleProbe?.milliseconds, lifetimeProbeMs: l?.heldMs ?? plan.lifetimeProbe?.milliseconds,
            idleTranscript: i?.transcript, lifetimeTranscript: l?.transcript)
        // The evidence says how the lifetime probe pinged, as it ran (the scenario runner pings every 250 ms).
        if plan.lifetimeProbe != nil { m.pingIntervalMs = plan.trafficInterval.milliseconds }
        // A direct probe cut short proves nothing either way: it is left out. Its transcript is scrubbed here
        // with the run's redactor, like everything else the run records.
        if let di, di.heldMs == nil {
            m.directIdleTimeoutMs = di.endedAfterMs
            m.directIdleTranscript = di.transcript.redacted(by: redactor)
        }
        if let dl, dl.heldMs == nil {
            m.directLifetimeMs = dl.endedAfterMs
            m.directLifetimeTranscript = dl.transcript.redacted(by: redactor)
        }
        return m
    }

    /// What one timeout probe saw.
    struct HoldResult: Sendable {
        /// Time from open to the end of the connection; `nil` when it outlived the probe (or never opened).
        var endedAfterMs: Double?
        var transcript: ConnectionTranscript
        /// How long the connection was held when the run's stop cut the probe short; `nil` otherwise.
        var heldMs: Double? = nil
    }

    /// Holds one connection to `url` (default the target) open up to `duration`, silent or with pings,
    /// and measures when it ended.
    func holdConnection(
        for duration: Duration?, withPings: Bool, token: String?, redactor: Redactor, url: WebSocketURL? = nil
    ) async -> HoldResult? {
        guard let duration else { return nil }
        let activity = (withPings ? "lifetime-probe" : "idle-probe") + (url == nil ? "" : " (direct)")
        let waitingFor = withPings ? "connection up with a ping every \(DurationText.format(plan.trafficInterval))" : "silent connection up"
        let configuration = clientConfiguration(
            url: url ?? plan.target, channel: mainChannel(token: token), token: token, redactor: redactor)
        let connection = await open(configuration)
        guard await connection.isOpen else {
            var transcript = await connection.transcript()
            transcript.target.url = redactor.url(transcript.target.url)
            return HoldResult(endedAfterMs: nil, transcript: transcript)
        }
        let start = clock.now()
        var ended: CloseObservation?
        while ended == nil {
            let elapsed = clock.now() - start
            let left = duration - elapsed
            if left <= .zero { break }
            report(activity, waitingFor, elapsed: elapsed, total: duration)
            let slice = min(left, withPings ? plan.trafficInterval : .seconds(1))
            if withPings {
                let sliceStart = clock.now()
                _ = await connection.ping(timeout: slice)
                ended = await connection.waitForEnd(timeout: .zero)
                let rest = slice - (clock.now() - sliceStart)
                if ended == nil, rest > .zero { ended = await connection.waitForEnd(timeout: rest) }
            } else {
                ended = await connection.waitForEnd(timeout: slice)
            }
        }
        report(activity, "", elapsed: clock.now() - start, total: duration, finished: true)
        if ended == nil { await connection.close(code: CloseCode.normalClosure.rawValue, reason: "ws1011 \(activity) done") }
        var transcript = await connection.transcript()
        transcript.target.url = redactor.url(transcript.target.url)
        if stop.isStopped {
            // The end, if any, is our own abort: not a limit of the path.
            return HoldResult(endedAfterMs: nil, transcript: transcript, heldMs: (clock.now() - start).milliseconds)
        }
        var endedAfter: Double?
        if let ended, let at = ended.atMs {
            endedAfter = max(0, at - (transcript.timings.openAtMs ?? 0))
        }
        return HoldResult(endedAfterMs: endedAfter, transcript: transcript)
    }
}
