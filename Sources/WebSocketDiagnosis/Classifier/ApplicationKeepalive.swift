/// Whether an end (a close frame or a bare one) is the server's keepalive at the application layer giving
/// up: its application pings (Engine.IO `2`, JSON pings) went unanswered and the end came within the
/// timeout it announced — or, with nothing announced, within two of its intervals — after the first of
/// them (docs/FAILURE_SIGNATURES.md, "Keepalives and handler errors per library"). The counterpart of
/// ``ServerKeepalive`` for pings the WebSocket layer does not see.
///
/// Engine.IO v4 servers close `pingTimeout` after an unanswered ping (Node engine.io `resetPingTimeout`);
/// python-engineio checks the last pong against `pingInterval + pingTimeout`. So the window is the interval
/// plus the announced timeout, plus slack.
struct ApplicationKeepalive: Sendable {
    /// The heartbeat read from the transcript.
    let heartbeat: ApplicationHeartbeat
    /// The first application ping that went unanswered.
    let firstUnansweredAtMs: Double
    /// How many went unanswered.
    let unanswered: Int
    /// The server's interval (announced, learned or the protocol's own).
    let intervalMs: Double
    /// Time from the first unanswered ping to the end.
    let sinceFirstUnansweredMs: Double

    /// The application keepalive reading of an end at `end`, or `nil` when the pings and the timing do not fit.
    init?(_ context: ClassificationContext, endAtMs end: Double) {
        guard let heartbeat = ApplicationHeartbeat(context.transcript), heartbeat.answersExpected,
            let first = heartbeat.unansweredAtMs.first, end > first,
            let interval = heartbeat.intervalMs ?? context.facts.openAtMs.map({ first - $0 }), interval > 0
        else { return nil }
        let since = end - first
        let slack = max(context.ms(\.measurementTolerance), context.thresholds.keepaliveIntervalSlack * interval)
        let timeout = heartbeat.announced?.pingTimeoutMs ?? interval
        // A ping and an end that arrive together are a coincidence: a server waits for the answer.
        guard since >= context.ms(\.keepaliveCoincidence), since <= interval + timeout + slack else { return nil }
        self.heartbeat = heartbeat
        firstUnansweredAtMs = first
        unanswered = heartbeat.unansweredAtMs.count
        intervalMs = interval
        sinceFirstUnansweredMs = since
    }

    /// Whether we never answered any of them (a client that does not speak the protocol, or stalled).
    var noAnswerEver: Bool { heartbeat.lastAnswerAtMs == nil }

    /// The evidence line: the pings, where the interval comes from, the timing of the end.
    var evidence: Evidence {
        let never = noAnswerEver ? "; we answered none of them" : ""
        return Evidence(
            rule: RuleName.applicationKeepalive,
            observation:
                "\(unanswered) of the server's \(heartbeat.dialect.pingWords) went unanswered, the first at \(Describe.ms(firstUnansweredAtMs)); it pings every \(Describe.seconds(intervalMs)) (\(heartbeat.intervalSource)) and the end came \(Describe.ms(sinceFirstUnansweredMs)) after the first unanswered one, within its ping timeout\(never)"
        )
    }

    /// What to do, for a verdict's summary.
    var advice: String {
        switch heartbeat.dialect {
        case .engineIO:
            "answer each ping packet `2` with a pong `3` within pingTimeout (a Socket.IO/Engine.IO client does; a plain WebSocket client must do it itself), and keep the client's event loop free"
        case .json, .actionCable:
            "answer the application's ping messages as its protocol requires, and keep the client's event loop free"
        }
    }
}
