import WebSocketDiagnosis
import WebSocketWire

extension ProbeRunner {
    /// The longest ramp the fleet's opens are spread over.
    static let maximumFleetRamp: Duration = .seconds(2)

    /// Opens ``ProbePlan/connections`` connections with the main attempt's token channel, spread evenly over
    /// a short ramp (half the hold, at most ``maximumFleetRamp``) so that they have different ages, and holds
    /// them in parallel with a ping every ``ProbePlan/trafficInterval`` until ``ProbePlan/fleetHold`` after the
    /// fleet's start. A connection that ends during the hold makes one new upgrade at once (does the front
    /// serve new connections, or refuse them?). When the answer to an upgrade names the backend instance that served
    /// it (``FleetConnection/instanceHeaders``, or ``ProbePlan/instanceHeader``), the connection records it and the
    /// fleet is tallied by instance. `nil` when no fleet was asked for.
    ///
    /// Each connection is summarised in a ``FleetConnection``; only ``FleetObservation/maximumExamples`` whole
    /// transcripts are kept, so a fleet of a thousand costs a few numbers per connection. The run's stop
    /// (`--max-time`, a signal) aborts every fleet connection; those it cut are marked ``FleetConnection/Outcome/cut``.
    public func holdFleet(token: String?, redactor: Redactor) async -> FleetObservation? {
        guard let n = plan.connections, n > 0 else { return nil }
        let hold = plan.fleetHold
        let ramp = min(hold / 2, Self.maximumFleetRamp)
        let spacing = ramp / n
        let channel = mainChannel(token: token)
        let configuration = clientConfiguration(url: plan.target, channel: channel, token: token, redactor: redactor)
        stop.enter("fleet")
        let start = clock.now()
        report("fleet", "\(n) connections up with a ping every \(DurationText.format(plan.trafficInterval))", elapsed: .zero, total: hold)
        var summaries: [FleetConnection] = []
        summaries.reserveCapacity(n)
        var examples: [ConnectionTranscript] = []
        await withTaskGroup(of: (FleetConnection, ConnectionTranscript?).self) { group in
            for index in 0..<n {
                group.addTask {
                    await holdFleetConnection(
                        index, delay: spacing * index, start: start, hold: hold, configuration: configuration, redactor: redactor)
                }
            }
            for await (summary, transcript) in group {
                summaries.append(summary)
                if let transcript, examples.count < FleetObservation.maximumExamples {
                    var t = transcript
                    t.target.url = redactor.url(t.target.url)
                    examples.append(t.redacted(by: redactor))
                }
            }
        }
        report("fleet", "", elapsed: clock.now() - start, total: hold, finished: true)
        return FleetObservation(
            requested: n, holdMs: hold.milliseconds, rampMs: ramp.milliseconds, pingIntervalMs: plan.trafficInterval.milliseconds,
            connections: summaries, examples: examples
        ).redacted(by: redactor)
    }

    /// Holds one fleet connection: waits `delay`, opens, pings every traffic interval until `start + hold`.
    /// Returns its summary, and its transcript when it ended during the hold (a candidate example).
    func holdFleetConnection(
        _ index: Int, delay: Duration, start: Duration, hold: Duration, configuration: ClientConfiguration, redactor: Redactor
    ) async -> (FleetConnection, ConnectionTranscript?) {
        try? await clock.sleep(delay)
        let startedAt = clock.now() - start
        var summary = FleetConnection(index: index, outcome: .cut, startedAtMs: startedAt.milliseconds)
        guard !stop.isStopped else { return (summary, nil) }
        let connection = await open(configuration)
        guard await connection.isOpen else {
            let t = await connection.transcript()
            summary.outcome = stop.isStopped ? .cut : .notOpened
            summary.handshakeStatus = t.handshake?.status
            summary.instance = instance(of: t, redactor: redactor)
            if t.handshake?.status == nil { summary.failure = t.failure.map { "\($0.stage.rawValue) \($0.kind)" } }
            return (summary, nil)
        }
        var ended: CloseObservation?
        while ended == nil, !stop.isStopped {
            let left = start + hold - clock.now()
            if left <= .zero { break }
            let slice = min(left, plan.trafficInterval)
            let sliceStart = clock.now()
            _ = await connection.ping(timeout: slice)
            ended = await connection.waitForEnd(timeout: .zero)
            let rest = slice - (clock.now() - sliceStart)
            if ended == nil, rest > .zero { ended = await connection.waitForEnd(timeout: rest) }
        }
        let endedAt = clock.now() - start
        if ended == nil { await connection.close(code: CloseCode.normalClosure.rawValue, reason: "ws1011 fleet done") }
        let t = await connection.transcript()
        summary.instance = instance(of: t, redactor: redactor)
        // Offsets in the transcript count from the connection's own start.
        summary.openedAtMs = t.timings.openAtMs.map { startedAt.milliseconds + $0 }
        if let tcp = t.timings.tcpMs {
            summary.connectedAtMs = startedAt.milliseconds + (t.timings.dnsMs ?? 0) + tcp
        }
        summary.transportEnd = t.close.transportEnd
        if stop.isStopped { return (summary, nil) }
        guard let ended else {
            summary.outcome = .held
            return (summary, nil)
        }
        summary.outcome = .ended
        summary.endedAtMs = ended.atMs.map { startedAt.milliseconds + $0 } ?? endedAt.milliseconds
        summary.closeReceived = ended.received != nil
        summary.closeCode = ended.received?.code
        summary.closeReason = ended.received?.reason
        // One new upgrade right away: a reloaded proxy serves it, a restarting application refuses it.
        let again = await open(configuration)
        let reopened = await again.transcript()
        if await again.isOpen {
            summary.reopenStatus = 101
            await again.close(code: CloseCode.normalClosure.rawValue, reason: "ws1011 fleet reopen")
        } else if let status = reopened.handshake?.status {
            summary.reopenStatus = status
        } else {
            summary.reopenFailure = reopened.failure.map { "\($0.stage.rawValue) \($0.kind)" } ?? "no answer"
        }
        return (summary, t)
    }

    /// The instance the answer to a fleet connection's upgrade named (``FleetConnection/instance(in:custom:redactor:)``
    /// with ``ProbePlan/instanceHeader``).
    private func instance(of t: ConnectionTranscript, redactor: Redactor) -> String? {
        guard let headers = t.handshake?.headers else { return nil }
        return FleetConnection.instance(in: headers, custom: plan.instanceHeader, redactor: redactor)
    }
}
