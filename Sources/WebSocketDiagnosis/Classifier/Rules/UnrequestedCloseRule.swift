import Foundation
import WebSocketWire

/// The server closed before the probe did — even with 1000 or 1001 and a polite reason, that is an
/// observation to explain, not a pass (docs/FAILURE_SIGNATURES.md, "A close we did not ask for").
///
/// In this order:
/// 1. an application-level disconnect message just before the close (Action Cable's
///    `{"type":"disconnect","reason":…}`, SignalR's close message) → what that message says;
/// 2. the server's pings went unanswered and the close came within its own ping timeout → its keepalive
///    (``ServerKeepalive``; Tornado closes 1000 `ping timed out`); the same for its application pings
///    (``ApplicationKeepalive``: Engine.IO's `2` left without a `3`, JSON pings without a pong);
/// 3. the timeout probes explain it (``ServerCloseExplanation``): a restart (same instant as another
///    connection's end), the application's per-connection cap (same age as the pinged probe's close), its
///    idle timeout (same silence as the silent probe's close, the pinged probe lived);
/// 4. the reason names an idle timeout (Tomcat `… idle timeout expired`, Jetty 9.4 `Idle timeout expired: …`);
/// 5. a 1000 or a close without status with none of these → the server's own close, unexplained: say so
///    and say which probes would explain it.
///
/// A 1001 or an un-fingerprinted 1011 with none of 1–4 is left to ``ReceivedCloseRule``.
struct UnrequestedCloseRule: ClassificationRule {
    /// The direct run usually ends (by our close) long before a server's cap or idle timeout: the generic
    /// comparison would read "healthy direct" as "only through the front". This rule compares only when the
    /// direct run lived as long (``comparedWithDirect(_:context:closeAgeMs:)``).
    var comparesPaths: Bool { true }

    func evaluate(_ context: ClassificationContext) -> Verdict? {
        guard let verdict = judge(context), let open = context.facts.openAtMs, let r = context.facts.received else { return nil }
        return comparedWithDirect(verdict, context: context, closeAgeMs: r.atMs - open)
    }

    /// Adds what the direct run says, when it lived long enough to say anything.
    func comparedWithDirect(_ verdict: Verdict, context: ClassificationContext, closeAgeMs: Double) -> Verdict {
        guard let direct = context.direct, let directOpen = direct.timings.openAtMs else { return verdict }
        let directEnd = direct.close.received?.atMs ?? direct.close.atMs ?? directOpen
        let directAge = directEnd - directOpen
        let serverClosedDirect = direct.close.order == .receivedFirst || direct.close.order == .receivedOnly
        if serverClosedDirect, context.agree(directAge, closeAgeMs) || verdict.cause == .applicationKeepaliveTimeout {
            return verdict.adjustingConfidence(by: Confidence.Step.agreeing).adding([
                Evidence(
                    rule: RuleName.directVersusFront,
                    observation: "the server closed the direct run first too, \(Describe.ms(directAge)) after open: the backend itself")
            ])
        }
        if directAge + context.ms(\.measurementTolerance) < closeAgeMs {
            return verdict.adding([
                Evidence(
                    rule: RuleName.directVersusFront,
                    observation: "the direct run ended after \(Describe.ms(directAge)), before this close's age: no comparison")
            ])
        }
        return verdict.adjustingConfidence(by: Confidence.Step.refuted).adding([
            Evidence(
                rule: RuleName.directVersusFront,
                observation:
                    "the direct run outlived this age (\(Describe.ms(directAge))) without a close from the server: the close happens only through the front, which may send it itself"
            )
        ])
    }

    private func judge(_ context: ClassificationContext) -> Verdict? {
        let f = context.facts
        let close = context.transcript.close
        guard f.opened, let r = f.received, let open = f.openAtMs, close.order == .receivedFirst || close.order == .receivedOnly
        else { return nil }
        let reason = r.reason
        switch r.closeCode {
        case nil, .normalClosure?: break
        case .goingAway? where !Fingerprints.isEdgeRestart(reason: reason): break
        case .internalError?
        where !Fingerprints.isKeepaliveTimeout(reason: reason) && !Fingerprints.isNotReady(reason: reason)
            && !Fingerprints.isAuthFailure(reason: reason):
            break
        default: return nil
        }
        let age = r.atMs - open
        var evidence = [
            Evidence(
                rule: RuleName.unrequestedClose,
                observation:
                    "the server closed first, \(Describe.close(code: r.code, reason: reason)), \(Describe.ms(age)) after open, before the probe had finished"
            )
        ]
        let afterMessage = f.lastMessage(before: r.atMs).map { r.atMs - $0 <= context.ms(\.afterMessageWindow) } ?? false

        // 1. The application said why in its own protocol.
        if let message = Self.disconnectMessage(context, before: r.atMs) {
            evidence.append(
                Evidence(
                    rule: RuleName.disconnectMessage,
                    observation: "\(Describe.ms(r.atMs - message.atMs)) before the close the server sent \"\(message.preview)\""))
            let said = message.reason.map { " (reason \"\($0)\")" } ?? ""
            if let why = message.reason, Fingerprints.isAuthFailure(reason: why) {
                return Verdict(
                    cause: .authRejected, confidence: Confidence.likely,
                    summary:
                        "The application disconnected this client as unauthorized in its own protocol\(said), then closed: check the credential or session it authenticates",
                    evidence: evidence)
            }
            if let why = message.reason, why.lowercased().contains("restart") {
                return Verdict(
                    cause: .applicationRestart, confidence: Confidence.strong,
                    summary: "The application announced a restart\(said) and closed: reconnect with backoff", evidence: evidence)
            }
            return Verdict(
                cause: .applicationDisconnect, confidence: Confidence.likely,
                summary:
                    "The application ended the session in its own protocol\(said) before closing \(Describe.close(code: r.code, reason: reason)): look that reason up in the application",
                evidence: evidence)
        }

        // 2. The server's keepalive (a 1011 right after our message stays an internal error).
        if !(r.closeCode == .internalError && afterMessage), let keepalive = ServerKeepalive(context, endAtMs: r.atMs) {
            evidence.append(keepalive.evidence)
            return Verdict(
                cause: .applicationKeepaliveTimeout, confidence: keepalive.noPongEver ? Confidence.characteristic : Confidence.likely,
                summary:
                    "The server's keepalive gave up and closed (\(Describe.close(code: r.code, reason: reason))) \(Describe.seconds(keepalive.sinceFirstUnansweredMs)) after its first unanswered ping: keep the client answering pings (its event loop free), and make sure proxies forward pong frames",
                evidence: evidence)
        }
        // 2b. The same at the application layer: its ping messages (Engine.IO `2`, JSON pings) unanswered.
        if !(r.closeCode == .internalError && afterMessage), let keepalive = ApplicationKeepalive(context, endAtMs: r.atMs) {
            evidence.append(keepalive.evidence)
            return Verdict(
                cause: .applicationKeepaliveTimeout, confidence: keepalive.noAnswerEver ? Confidence.strong : Confidence.likely,
                summary:
                    "The server's \(keepalive.heartbeat.dialect.rawValue) keepalive gave up and closed (\(Describe.close(code: r.code, reason: reason))) \(Describe.seconds(keepalive.sinceFirstUnansweredMs)) after its first unanswered application ping: \(keepalive.advice)",
                evidence: evidence)
        }
        if r.closeCode == .internalError { return nil }

        // 3. The timeout probes.
        if let (kind, more) = ServerCloseExplanation.explain(context, closeAtMs: r.atMs) {
            return Self.verdict(kind, close: r, evidence: evidence + more)
        }

        // 4. The reason names an idle timeout.
        if Fingerprints.isIdleTimeout(reason: reason) {
            let silence = ServerCloseExplanation.dataSilence(context, before: r.atMs)
            evidence.append(
                Evidence(
                    rule: RuleName.reasonFingerprint,
                    observation:
                        "the reason \"\(reason)\" fingerprints an idle timeout; no message either way for \(Describe.ms(silence)) before it"
                )
            )
            return Self.verdict(.idleTimeout(ms: silence), close: r, evidence: evidence, confidence: Confidence.likely)
        }
        if r.closeCode == .goingAway { return nil }

        // 5. Unexplained.
        let silence = ServerCloseExplanation.dataSilence(context, before: r.atMs)
        evidence.append(
            Evidence(
                rule: RuleName.unrequestedClose,
                observation:
                    afterMessage
                    ? "the close came right after our message at \(Describe.ms(f.lastMessage(before: r.atMs) ?? 0))"
                    : "no message either way for \(Describe.ms(silence)) before the close"))
        return Verdict(
            cause: .unrequestedClose, confidence: Confidence.leaning,
            summary:
                "The server closed the connection on its own (\(Describe.close(code: r.code, reason: reason))) \(Describe.seconds(age)) after open: not a failure of the path, but not healthy either — read the server log for why it closes",
            evidence: evidence,
            next: context.measurements == nil ? [NextStep(.measureTimeouts, "to tell its idle timeout from a per-connection cap")] : [])
    }

    /// The verdict for an explanation from the timing.
    static func verdict(
        _ kind: ServerCloseExplanation.Kind, close r: CloseFrameInfo, evidence: [Evidence], confidence: Double = Confidence.characteristic
    )
        -> Verdict
    {
        let closeText = Describe.close(code: r.code, reason: r.reason)
        switch kind {
        case .connectionCap(let ms):
            return Verdict(
                cause: .applicationConnectionCap, confidence: confidence,
                summary:
                    "The server closes every connection \(Describe.seconds(ms)) after open whatever the traffic (\(closeText)): its own per-connection limit (Daphne: websocket_timeout); raise it or reconnect before it",
                evidence: evidence)
        case .idleTimeout(let ms):
            return Verdict(
                cause: .applicationIdleTimeout, confidence: confidence,
                summary:
                    "The server closes connections after \(Describe.seconds(ms)) without messages (\(closeText)): its own idle timeout (Tomcat/Jetty session idle timeout); send application messages more often than that, or raise it",
                evidence: evidence)
        case .restart:
            return Verdict(
                cause: .applicationRestart, confidence: Confidence.likely,
                summary:
                    "The server closed several connections at the same instant (\(closeText)): it restarted or redeployed; reconnect with backoff and drain connections on deploys",
                evidence: evidence)
        }
    }

    /// An application-level disconnect message received shortly before the close.
    struct DisconnectMessage {
        let atMs: Double
        let preview: String
        let reason: String?
    }

    /// The last inbound text frame within ``ClassifierThresholds/disconnectMessageWindow`` (2 s) before `closeAt`, when it is a disconnect message: a JSON
    /// object whose type or event is `disconnect` (Action Cable, many apps), or SignalR's close message
    /// (`{"type":7,…}`). Its `reason` (or `error`) field, when the preview shows it.
    static func disconnectMessage(_ context: ClassificationContext, before closeAt: Double) -> DisconnectMessage? {
        guard
            let frame = context.transcript.frames.last(where: {
                $0.direction == .inbound && $0.opcode == "text" && $0.atMs <= closeAt
                    && closeAt - $0.atMs <= context.ms(\.disconnectMessageWindow)
            }), let preview = frame.preview
        else { return nil }
        let compact = preview.replacingOccurrences(of: " ", with: "").lowercased()
        let isDisconnect =
            compact.contains("\"type\":\"disconnect\"") || compact.contains("\"event\":\"disconnect\"")
            || compact.contains("\"op\":\"disconnect\"") || compact.hasPrefix("{\"type\":7")
        guard isDisconnect else { return nil }
        return DisconnectMessage(atMs: frame.atMs, preview: preview, reason: field("reason", in: preview) ?? field("error", in: preview))
    }

    /// The string value of `"name":"…"` in a JSON preview, if present and complete.
    static func field(_ name: String, in json: String) -> String? {
        guard let key = json.range(of: "\"\(name)\"") else { return nil }
        let rest = json[key.upperBound...].drop { $0 == " " || $0 == ":" }
        guard rest.first == "\"" else { return nil }
        let value = rest.dropFirst().prefix { $0 != "\"" }
        guard value.endIndex < rest.endIndex else { return nil }
        return String(value)
    }
}
