/// A WebSocket run over HTTP/2 (`--http2`, RFC 8441) that the HTTP/2 layer ended: a `RST_STREAM` or a
/// `GOAWAY` in place of a close frame once the stream was open, or in answer to the extended CONNECT; and
/// a server that offers no WebSockets over HTTP/2 at all (then the run shows nothing a browser meets).
///
/// Evidence is the transcript's ``ConnectionTranscript/http2`` (the codes, the last stream id) and the
/// close provenance (``TransportEnd/http2Reset``, ``TransportEnd/http2GoAway``). A close frame received
/// first is the application's or the front's close, and the close rules judge it.
struct HTTP2StreamEndRule: ClassificationRule {
    func evaluate(_ context: ClassificationContext) -> Verdict? {
        let t = context.transcript
        guard let h2 = t.http2 else { return nil }
        if context.facts.opened { return afterOpen(context, h2) }
        guard let failure = t.failure, failure.stage == .upgrade else { return nil }
        switch failure.kind {
        case .http2StreamReset, .http2GoAway:
            let how = h2.resetCode.map { "RST_STREAM \($0)" } ?? h2.goAwayCode.map { "GOAWAY \($0)" } ?? failure.kind.rawValue
            let evidence = [
                Evidence(rule: RuleName.http2StreamEnd, observation: "the server's SETTINGS carry SETTINGS_ENABLE_CONNECT_PROTOCOL = 1"),
                Evidence(
                    rule: RuleName.http2StreamEnd,
                    observation:
                        "the extended CONNECT (:protocol websocket) was answered with \(how)\(failure.atMs.map { " at \(Describe.ms($0))" } ?? ""): \(h2.detail)"
                ),
            ]
            return Verdict(
                cause: .http2WebSocketBroken, confidence: Confidence.probable,
                summary:
                    "WebSockets over HTTP/2 are advertised but the extended CONNECT is refused with \(how): Chrome and Firefox will fail with 1006 and not fall back to HTTP/1.1, while curl, Safari and CLI clients (HTTP/1.1) may work; stop advertising SETTINGS_ENABLE_CONNECT_PROTOCOL on the server or proxy that terminates TLS (or turn off h2 to it) until the extended CONNECT works end to end",
                evidence: evidence, next: [NextStep(.compareHTTP1, "to confirm that only browsers fail")])
        case .http2NotNegotiated, .http2NoExtendedConnect:
            let what =
                failure.kind == .http2NotNegotiated
                ? "ALPN did not select h2" : "HTTP/2 was negotiated without SETTINGS_ENABLE_CONNECT_PROTOCOL = 1"
            return Verdict(
                cause: .inconclusive, confidence: Confidence.lead,
                summary:
                    "WebSockets over HTTP/2 are not offered here (\(what)): browsers open this WebSocket over HTTP/1.1, so a run over HTTP/2 shows nothing they meet",
                evidence: [Evidence(rule: RuleName.http2StreamEnd, observation: failure.detail)],
                next: [NextStep(.compareHTTP1)])
        default:
            return nil
        }
    }

    /// The open stream ended by `RST_STREAM` or `GOAWAY` with no close frame from the peer.
    private func afterOpen(_ context: ClassificationContext, _ h2: HTTP2Observation) -> Verdict? {
        let t = context.transcript
        let f = context.facts
        guard f.received == nil, let end = f.endAtMs, let open = f.openAtMs else { return nil }
        let lived = Describe.ms(end - open)
        let quiet = t.close.sinceLastInboundMs.map { ", \(Describe.ms($0)) after the last inbound frame" } ?? ""
        // Our own close first, answered by the h2 layer instead of a close frame: a sloppy close, not a cut.
        let weCloseFirst = f.sent != nil
        switch t.close.transportEnd {
        case .http2Reset:
            let code = h2.resetCode ?? "?"
            let evidence = Evidence(
                rule: RuleName.http2StreamEnd,
                observation:
                    "RST_STREAM \(code) on the WebSocket's stream \(lived) after it opened (200 to the extended CONNECT)\(quiet); no close frame received\(weCloseFirst ? " (ours was sent first)" : "")"
            )
            return Verdict(
                cause: .http2StreamReset, confidence: weCloseFirst ? Confidence.suggestive : Confidence.strong,
                summary:
                    "Over HTTP/2 the WebSocket's stream was reset (RST_STREAM \(code)) \(lived) after it opened, with no close frame: the HTTP/2 layer ended it (a front terminating h2 — its stream timeouts or limits — or the server's h2 stack), not the application; a browser sees 1006. Check the stream idle and lifetime limits of whatever terminates h2",
                evidence: [evidence], next: [NextStep(.compareHTTP1, "to tell whether HTTP/1.1 connections end the same way")])
        case .http2GoAway:
            let code = h2.goAwayCode ?? "?"
            let graceful = code == "NO_ERROR"
            let evidence = Evidence(
                rule: RuleName.http2StreamEnd,
                observation:
                    "GOAWAY \(code) ended the HTTP/2 connection \(lived) after the WebSocket's stream opened\(quiet); no close frame received"
            )
            return Verdict(
                cause: .http2GoAway, confidence: graceful ? Confidence.likely : Confidence.strong,
                summary: graceful
                    ? "Over HTTP/2 a graceful GOAWAY (NO_ERROR) ended the connection under the WebSocket \(lived) after it opened, without letting the stream finish or sending a close frame: a restart, deploy or reload of whatever terminates h2; have it close WebSockets with 1001 before it goes away, and reconnect with backoff"
                    : "Over HTTP/2 a GOAWAY \(code) ended the connection under the WebSocket \(lived) after it opened, with no close frame: the HTTP/2 layer (a front terminating h2 or the server's h2 stack) hit a connection error; a browser sees 1006. Read that layer's logs for the \(code)",
                evidence: [evidence], next: [NextStep(.compareHTTP1, "to tell whether HTTP/1.1 connections end the same way")])
        default:
            return nil
        }
    }
}
