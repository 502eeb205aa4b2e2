// The `ws1011.report/1` contract spells out some fields as "value or null": they are always present in the
// JSON, as `null` when unknown, so a consumer can tell "not measured" from "field missing". Decoding stays
// synthesized (it accepts both a missing key and `null`).

extension PhaseTimings {
    private enum Keys: String, CodingKey {
        case dnsMs, tcpMs, tlsMs, upgradeMs, requestWrittenAtMs, firstResponseByteAtMs, responseHeadAtMs, openAtMs, firstFrameAtMs
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: Keys.self)
        // Contract fields: always present.
        try c.encode(dnsMs, forKey: .dnsMs)
        try c.encode(tcpMs, forKey: .tcpMs)
        try c.encode(tlsMs, forKey: .tlsMs)
        try c.encode(upgradeMs, forKey: .upgradeMs)
        try c.encodeIfPresent(requestWrittenAtMs, forKey: .requestWrittenAtMs)
        try c.encodeIfPresent(firstResponseByteAtMs, forKey: .firstResponseByteAtMs)
        try c.encodeIfPresent(responseHeadAtMs, forKey: .responseHeadAtMs)
        try c.encodeIfPresent(openAtMs, forKey: .openAtMs)
        try c.encodeIfPresent(firstFrameAtMs, forKey: .firstFrameAtMs)
    }
}

extension CloseObservation {
    private enum Keys: String, CodingKey {
        case received, sent, order, transportEnd, atMs, sinceLastInboundMs, sinceLastOutboundMs
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: Keys.self)
        try c.encode(received, forKey: .received)
        try c.encode(sent, forKey: .sent)
        try c.encode(order, forKey: .order)
        try c.encode(transportEnd, forKey: .transportEnd)
        try c.encode(atMs, forKey: .atMs)
        try c.encode(sinceLastInboundMs, forKey: .sinceLastInboundMs)
        try c.encode(sinceLastOutboundMs, forKey: .sinceLastOutboundMs)
    }
}

extension Measurements {
    private enum Keys: String, CodingKey {
        case idleTimeoutMs, lifetimeMs, idleProbeMs, lifetimeProbeMs, sustainedMs, sustainRequestedMs, idleTranscript, lifetimeTranscript
        case directIdleTimeoutMs, directLifetimeMs, directIdleTranscript, directLifetimeTranscript, pingIntervalMs
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: Keys.self)
        // `null` means the connection outlived the probe (or that probe did not run: see idleProbeMs / lifetimeProbeMs).
        try c.encode(idleTimeoutMs, forKey: .idleTimeoutMs)
        try c.encode(lifetimeMs, forKey: .lifetimeMs)
        try c.encodeIfPresent(idleProbeMs, forKey: .idleProbeMs)
        try c.encodeIfPresent(lifetimeProbeMs, forKey: .lifetimeProbeMs)
        try c.encodeIfPresent(pingIntervalMs, forKey: .pingIntervalMs)
        try c.encodeIfPresent(sustainedMs, forKey: .sustainedMs)
        try c.encodeIfPresent(sustainRequestedMs, forKey: .sustainRequestedMs)
        try c.encodeIfPresent(idleTranscript, forKey: .idleTranscript)
        try c.encodeIfPresent(lifetimeTranscript, forKey: .lifetimeTranscript)
        // The direct probes (`--direct`) only when they ran; then `null` means the connection outlived the probe.
        if directIdleTranscript != nil { try c.encode(directIdleTimeoutMs, forKey: .directIdleTimeoutMs) }
        if directLifetimeTranscript != nil { try c.encode(directLifetimeMs, forKey: .directLifetimeMs) }
        try c.encodeIfPresent(directIdleTranscript, forKey: .directIdleTranscript)
        try c.encodeIfPresent(directLifetimeTranscript, forKey: .directLifetimeTranscript)
    }
}

extension HandshakeObservation {
    private enum Keys: String, CodingKey {
        case status, reasonPhrase, httpVersion, headers, bodyPreview, bodyBytes, acceptValid, subprotocol, extensions
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: Keys.self)
        try c.encode(status, forKey: .status)
        try c.encodeIfPresent(reasonPhrase, forKey: .reasonPhrase)
        try c.encodeIfPresent(httpVersion, forKey: .httpVersion)
        try c.encode(headers, forKey: .headers)
        try c.encodeIfPresent(bodyPreview, forKey: .bodyPreview)
        try c.encodeIfPresent(bodyBytes, forKey: .bodyBytes)
        try c.encode(acceptValid, forKey: .acceptValid)
        try c.encode(subprotocol, forKey: .subprotocol)
        try c.encode(extensions, forKey: .extensions)
    }
}

extension TLSObservation {
    private enum Keys: String, CodingKey {
        case verified, verificationDisabled, failure, failureDetail, chain, protocolVersion
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: Keys.self)
        try c.encode(verified, forKey: .verified)
        try c.encode(verificationDisabled, forKey: .verificationDisabled)
        try c.encode(failure, forKey: .failure)
        try c.encodeIfPresent(failureDetail, forKey: .failureDetail)
        try c.encode(chain, forKey: .chain)
        try c.encodeIfPresent(protocolVersion, forKey: .protocolVersion)
    }
}

extension CloseFrameInfo {
    private enum Keys: String, CodingKey {
        case code, reason, atMs
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: Keys.self)
        // `null`: the close frame had no status (a browser reports 1005).
        try c.encode(code, forKey: .code)
        try c.encode(reason, forKey: .reason)
        try c.encode(atMs, forKey: .atMs)
    }
}
