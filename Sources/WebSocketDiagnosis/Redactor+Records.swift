import Foundation

// MARK: - The scrubber at the boundary
//
// Everything a peer sends is untrusted text that may quote our own request back (a 401 body that
// prints the request line, an error page that echoes headers, a close reason "invalid token: …").
// These functions scrub every text field of the records that leave the client and the runner, so
// that no renderer, including one not written yet, can print a secret the run knows.

extension ConnectionTranscript {
    /// A copy with every text field scrubbed by `redactor`: the target, the request, the response
    /// (status line, headers, body preview, subprotocol, extensions), TLS details, frame previews,
    /// close reasons, findings and the failure.
    public func redacted(by redactor: Redactor) -> ConnectionTranscript {
        var t = self
        t.target.url = redactor.url(t.target.url)
        t.target.resource = redactor.url(t.target.resource)
        t.target.host = redactor.text(t.target.host)
        t.resolvedAddresses = t.resolvedAddresses.map(redactor.text)
        t.connectedAddress = t.connectedAddress.map(redactor.text)
        if var tls = t.tls {
            tls.failureDetail = tls.failureDetail.map(redactor.text)
            tls.protocolVersion = tls.protocolVersion.map(redactor.text)
            tls.chain = tls.chain.map { c in
                var c = c
                c.subject = redactor.text(c.subject)
                c.issuer = redactor.text(c.issuer)
                c.subjectAlternativeNames = c.subjectAlternativeNames.map(redactor.text)
                return c
            }
            t.tls = tls
            t.tls?.clientCertificate = tls.clientCertificate.map(redactor.text)
        }
        t.route = t.route.map(redactor.text)
        t.http2 = t.http2?.redacted(by: redactor)
        if var proxy = t.proxy {
            proxy.proxy = redactor.text(proxy.proxy)
            proxy.target = redactor.text(proxy.target)
            proxy.reason = proxy.reason.map(redactor.text)
            proxy.server = proxy.server.map(redactor.text)
            t.proxy = proxy
        }
        if var request = t.request {
            request.method = redactor.text(request.method)
            request.resource = redactor.url(request.resource)
            request.headers = redactor.headers(request.headers)
            request.offeredSubprotocols = request.offeredSubprotocols.map(redactor.subprotocol)
            request.offeredExtensions = request.offeredExtensions.map(redactor.text)
            t.request = request
        }
        if var handshake = t.handshake {
            handshake.reasonPhrase = handshake.reasonPhrase.map(redactor.text)
            handshake.httpVersion = handshake.httpVersion.map(redactor.text)
            handshake.headers = redactor.headers(handshake.headers)
            handshake.bodyPreview = handshake.bodyPreview.map(redactor.text)
            handshake.subprotocol = handshake.subprotocol.map(redactor.subprotocol)
            handshake.extensions = handshake.extensions.map(redactor.text)
            t.handshake = handshake
        }
        t.frames = t.frames.map { f in
            guard let preview = f.preview else { return f }
            var f = f
            f.preview = redactor.text(preview)
            return f
        }
        t.findings = t.findings.map { Finding($0.code, redactor.text($0.detail), atMs: $0.atMs) }
        t.close = t.close.redacted(by: redactor)
        if var failure = t.failure {
            failure.detail = redactor.text(failure.detail)
            t.failure = failure
        }
        return t
    }
}

extension CloseObservation {
    /// A copy with both close reasons scrubbed by `redactor`.
    public func redacted(by redactor: Redactor) -> CloseObservation {
        var c = self
        if let reason = received?.reason { c.received?.reason = redactor.text(reason) }
        if let reason = sent?.reason { c.sent?.reason = redactor.text(reason) }
        return c
    }
}

extension DiagnosisReport {
    /// A copy with every text field scrubbed by `redactor`: the target, the verdict's summary and
    /// evidence, every step, every transcript (main, direct, idle and lifetime probes), every
    /// auth-channel result and the HTTP/2 check.
    public func redacted(by redactor: Redactor) -> DiagnosisReport {
        var r = self
        r.target = redactor.url(r.target)
        r.verdict.summary = redactor.text(r.verdict.summary)
        r.verdict.evidence = r.verdict.evidence.map {
            Evidence(rule: RuleName(rawValue: redactor.text($0.rule.rawValue)), observation: redactor.text($0.observation))
        }
        r.steps = r.steps.map { $0.redacted(by: redactor) }
        r.directSteps = r.directSteps?.map { $0.redacted(by: redactor) }
        r.transcript = r.transcript.redacted(by: redactor)
        r.directTranscript = r.directTranscript?.redacted(by: redactor)
        if var m = r.measurements {
            m.idleTranscript = m.idleTranscript?.redacted(by: redactor)
            m.lifetimeTranscript = m.lifetimeTranscript?.redacted(by: redactor)
            m.directIdleTranscript = m.directIdleTranscript?.redacted(by: redactor)
            m.directLifetimeTranscript = m.directLifetimeTranscript?.redacted(by: redactor)
            r.measurements = m
        }
        r.http2 = r.http2?.redacted(by: redactor)
        r.fleet = r.fleet?.redacted(by: redactor)
        r.contract = r.contract?.redacted(by: redactor)
        r.authChannels = r.authChannels?.map { a in
            var a = a
            a.detail = redactor.text(a.detail)
            return a
        }
        return r
    }
}

extension ProbeStep {
    /// A copy with the detail scrubbed by `redactor`.
    public func redacted(by redactor: Redactor) -> ProbeStep {
        var s = self
        s.detail = redactor.text(s.detail)
        return s
    }
}

extension HTTP2Observation {
    /// A copy with every text field scrubbed by `redactor`: the ALPN name, setting names, the answer's
    /// headers and subprotocol, the error codes, the message's name and the detail.
    public func redacted(by redactor: Redactor) -> HTTP2Observation {
        var o = self
        o.alpn = o.alpn.map(redactor.text)
        o.settings = o.settings?.map { Setting(id: $0.id, name: redactor.text($0.name), value: $0.value) }
        o.headers = o.headers.map(redactor.headers)
        o.subprotocol = o.subprotocol.map(redactor.subprotocol)
        o.resetCode = o.resetCode.map(redactor.text)
        o.goAwayCode = o.goAwayCode.map(redactor.text)
        o.messageSent = o.messageSent.map(redactor.text)
        o.streamEnds = o.streamEnds?.map { StreamEnd(frame: $0.frame, code: $0.code.map(redactor.text), atMs: $0.atMs) }
        o.detail = redactor.text(o.detail)
        return o
    }
}
