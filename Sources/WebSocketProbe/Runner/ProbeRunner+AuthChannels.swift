import WebSocketDiagnosis
import WebSocketWire

extension ProbeRunner {
    /// Whether the plan runs the auth-channel matrix: it is on, there is a token, and the profile names a
    /// subprotocol channel besides its header, or an `Authorization` header was given.
    public func runsAuthChannelMatrix(token: String?) -> Bool {
        guard plan.authChannelMatrix, matrixToken(token) != nil else { return false }
        if plan.authChannels != nil { return true }
        guard !plan.profile.auth.subprotocols.isEmpty || plan.headers.first(named: "Authorization") != nil else { return false }
        // One channel through the front alone would only repeat the main attempt.
        return matrixChannels(token: token).count > 1 || plan.direct != nil
    }

    /// The channels the matrix carries the credential by: those named by ``ProbePlan/authChannels``, or
    /// else the ones the user already chose — the profile's own (`lab`: subprotocol, header),
    /// otherwise the header the credential travels in. Never the URL query unless named: fronts log URLs.
    public func matrixChannels(token: String?) -> [AuthChannel] {
        if let chosen = plan.authChannels { return chosen.filter { $0 != .none } }
        if !plan.profile.auth.subprotocols.isEmpty && token != nil { return plan.profile.auth.matrixChannels }
        return [.header]
    }

    /// The token the matrix sends: the plan's token, or the credential of a given `Authorization` header.
    func matrixToken(_ token: String?) -> String? {
        if let token { return token }
        guard let value = plan.headers.first(named: "Authorization") else { return nil }
        if let space = value.firstIndex(of: " ") {
            let rest = value[value.index(after: space)...].trimmingCharacters(in: .whitespaces)
            return rest.isEmpty ? nil : rest
        }
        return value.isEmpty ? nil : value
    }

    /// The same token by subprotocol, by `Authorization` header and by query parameter, through the
    /// front and (with a direct URL) direct, plus a direct attempt without any credential.
    /// `nil` when the matrix does not run.
    public func authChannelMatrix(token: String?, redactor: Redactor) async -> [AuthChannelResult]? {
        guard runsAuthChannelMatrix(token: token), let credential = matrixToken(token) else { return nil }
        var paths: [(ProbePath, WebSocketURL)] = [(.front, plan.target)]
        if let direct = plan.direct { paths.append((.direct, direct)) }
        var results: [AuthChannelResult] = []
        let start = clock.now()
        for (path, url) in paths {
            for channel in matrixChannels(token: token) {
                report("auth-channels", "token by \(channel.rawValue) (\(path))", elapsed: clock.now() - start, total: nil)
                results.append(await authAttempt(channel: channel, path: path, url: url, token: credential, redactor: redactor))
            }
        }
        if let direct = plan.direct {
            report("auth-channels", "no credential (direct)", elapsed: clock.now() - start, total: nil)
            results.append(await authAttempt(channel: .none, path: .direct, url: direct, token: nil, redactor: redactor))
        }
        report("auth-channels", "", elapsed: clock.now() - start, total: nil, finished: true)
        return results
    }

    /// One connection carrying the credential by one channel; accepted when it opens and (for a profile
    /// with a welcome) the welcome arrives, or (otherwise) it is still open after a short wait.
    func authAttempt(channel: AuthChannel, path: ProbePath, url: WebSocketURL, token: String?, redactor: Redactor) async
        -> AuthChannelResult
    {
        let configuration = clientConfiguration(url: url, channel: channel, token: token, redactor: redactor, dropGivenAuthorization: true)
        let connection = await open(configuration)
        guard await connection.isOpen else {
            let transcript = await connection.transcript()
            let status = transcript.handshake?.status
            var detail = StepLedger.upgradeFailureDetail(transcript)
            if status == nil, let failure = transcript.failure { detail = "\(failure.kind): \(failure.detail)" }
            return AuthChannelResult(channel: channel, path: path, accepted: false, status: status, detail: redactor.text(detail))
        }
        let session = ProbeSession(connection: connection, clock: clock, profile: plan.profile, answerEnginePings: !plan.withholdPongs)
        let welcome = plan.profile.welcome
        let bound = welcome.map { $0.within ?? plan.timeouts.message } ?? min(plan.timeouts.message, .seconds(1))
        let outcome = await session.waitFor(within: bound) { m in m.control == nil && (welcome?.anyOf.contains(where: m.matches) ?? false) }
        let status = await connection.transcript().handshake?.status ?? 101
        let result: AuthChannelResult
        switch outcome {
        case .matched:
            result = AuthChannelResult(channel: channel, path: path, accepted: true, status: status, detail: "opened; welcome received")
        case .timedOut where welcome != nil:
            result = AuthChannelResult(
                channel: channel, path: path, accepted: false, status: status,
                detail: "opened but no welcome within \(DurationText.format(bound))")
        case .timedOut:
            result = AuthChannelResult(
                channel: channel, path: path, accepted: true, status: status, detail: "opened and stayed open \(DurationText.format(bound))"
            )
        case .closed(let end):
            result = AuthChannelResult(
                channel: channel, path: path, accepted: false, status: status, closeCode: end.effectiveCode,
                detail: "opened, then ended: \(end.probeSummary)")
        case .applicationError(let text), .refused(let text):
            result = AuthChannelResult(
                channel: channel, path: path, accepted: false, status: status, detail: "opened, then an error: \(text.prefix(200))")
        }
        if await connection.isOpen { await connection.close(code: CloseCode.normalClosure.rawValue, reason: "ws1011 auth probe") }
        return AuthChannelResult(
            channel: result.channel, path: result.path, accepted: result.accepted, status: result.status,
            closeCode: result.closeCode, detail: redactor.text(result.detail))
    }
}
