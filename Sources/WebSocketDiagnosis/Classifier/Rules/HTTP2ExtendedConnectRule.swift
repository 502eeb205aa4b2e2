/// The failure only browsers see: the server advertises WebSockets over HTTP/2 (RFC 8441,
/// `SETTINGS_ENABLE_CONNECT_PROTOCOL = 1`) and the extended CONNECT then fails, while the same WebSocket
/// over HTTP/1.1 works (docs/FAILURE_SIGNATURES.md, "Infrastructure layer").
///
/// Chrome and Firefox use the HTTP/2 connection whenever the setting is advertised and do not fall back to
/// HTTP/1.1 when the CONNECT fails (the page sees 1006); curl, Safari and every CLI client speak HTTP/1.1
/// and work. Applies only when the HTTP/1.1 attempt opened and none of its steps failed: a failure over
/// HTTP/1.1 is the first thing to fix and its own rule names it.
struct HTTP2ExtendedConnectRule: ClassificationRule {
    /// The check ran against the target only: no direct comparison refines it.
    var comparesPaths: Bool { true }

    func evaluate(_ context: ClassificationContext) -> Verdict? {
        guard let h2 = context.http2, h2.outcome == .fails, context.facts.opened, context.transcript.failure == nil,
            !context.steps.contains(where: { $0.status == .failed && $0.name != .h2 })
        else { return nil }
        var evidence = [
            Evidence(
                rule: RuleName.http2ExtendedConnect,
                observation: "ALPN selected \(h2.alpn ?? "nothing") and the server's SETTINGS carry SETTINGS_ENABLE_CONNECT_PROTOCOL = 1"),
            Evidence(rule: RuleName.http2ExtendedConnect, observation: "over HTTP/2 (:protocol websocket): \(h2.detail)"),
        ]
        if let open = context.facts.openAtMs {
            evidence.append(
                Evidence(rule: RuleName.probeSteps, observation: "the same WebSocket over HTTP/1.1 opened (101 at \(Describe.ms(open)))"))
        }
        // The stream opened and the ping came back, but the application's first message did not: the bridge
        // carries the WebSocket's control frames and not what the application needs (or the backend answers
        // the HTTP/2 request differently); over HTTP/1.1 the same message was answered.
        if let message = h2.messageSent, h2.messageAnswered == false {
            let overHTTP1 =
                context.steps.first { $0.name == .messages && $0.status == .passed }.map { " (over HTTP/1.1: \($0.detail))" } ?? ""
            evidence.append(
                Evidence(
                    rule: RuleName.http2ExtendedConnect,
                    observation:
                        "over HTTP/2 the stream opened and the ping was answered, but the profile's first message (\(message)) was not\(overHTTP1)"
                ))
        }
        // A refused stream or a 501 is a deliberate refusal; a reset, GOAWAY or silence after the
        // CONNECT (or after a 200) is a bridge that cannot carry the stream. Both break browsers the same way.
        let refused = h2.status.map { !(200..<300).contains($0) } ?? false
        let definite = refused || h2.resetCode != nil || h2.goAwayCode != nil
        return Verdict(
            cause: .http2WebSocketBroken, confidence: definite ? Confidence.characteristic : Confidence.probable,
            summary:
                "WebSockets over HTTP/2 are advertised but broken: Chrome and Firefox will fail with 1006 and not fall back to HTTP/1.1, while curl, Safari and CLI clients work; stop advertising SETTINGS_ENABLE_CONNECT_PROTOCOL on the server or proxy that terminates TLS (or turn off h2 to it) until the extended CONNECT works end to end",
            evidence: evidence)
    }
}
