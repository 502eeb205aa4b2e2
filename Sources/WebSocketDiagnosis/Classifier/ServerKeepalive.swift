/// Whether an end (a bare one, or a close frame) is the server's own keepalive giving up: the server's
/// protocol pings went unanswered and the end came within the server's own ping timeout after the first
/// of them (docs/FAILURE_SIGNATURES.md, "Keepalives and handler errors per library").
///
/// The server's interval is learned from the pings it sent, not assumed: servers time their pings from
/// the open and wait a timeout of the same order before giving up — Python `websockets` and uvicorn wait
/// `ping_timeout` (default 20 s, interval 20 s), Tornado caps the timeout at the interval, aiohttp waits
/// half its heartbeat, Engine.IO waits `pingTimeout` (20 s after a 25 s interval), Daphne/autobahn wait
/// 30 s after a 20 s interval. So the end must come at most twice the learned interval (plus slack) after
/// the first unanswered ping. The Python defaults window (``ClassifierThresholds/keepaliveStallWindow``)
/// is kept for servers whose timeout is long compared with their interval.
struct ServerKeepalive: Sendable {
    /// The first server ping that went unanswered.
    let firstUnansweredAtMs: Double
    /// How many server pings went unanswered.
    let unanswered: Int
    /// The server's ping interval, learned from its pings.
    let intervalMs: Double
    /// Time from the first unanswered ping to the end.
    let sinceFirstUnansweredMs: Double
    /// Time from our last pong (or the open) to the end.
    let stallMs: Double
    /// Whether we never answered any server ping (`--withhold-pongs`, or a client that cannot answer).
    let noPongEver: Bool

    /// The keepalive reading of an end at `end`, or `nil` when the pings and the timing do not fit one.
    init?(_ context: ClassificationContext, endAtMs end: Double) {
        let f = context.facts
        guard let first = f.unansweredServerPingsAtMs.first, end > first, let open = f.openAtMs,
            let interval = f.serverPingIntervalMs, interval > 0
        else { return nil }
        let since = end - first
        let stall = end - max(f.lastOutboundPongAtMs ?? open, open)
        let th = context.thresholds
        let slack = max(context.ms(\.measurementTolerance), th.keepaliveIntervalSlack * interval)
        // A kill that lands just after a ping is no keepalive: a server waits a while for the pong — at
        // least half its interval (aiohttp's heartbeat waits interval/2, the shortest of the table) — but
        // its timer may fire up to a second early: autobahn (Daphne) quantizes every deadline to a whole
        // second (txaio `_BatchedTimer.call_later`: `int(now + delay)`), so a 1 s ping timeout can end the
        // connection a few hundred ms after the ping. Only a ping and an end that arrive together (under
        // ``ClassifierThresholds/keepaliveCoincidence`` apart) are ruled out for second-scale intervals.
        let quantum = context.ms(\.keepaliveTimerQuantum)
        let minimumWait = max(context.ms(\.keepaliveCoincidence), min(0.5 * interval - quantum, quantum))
        let window = th.keepaliveStallWindow
        let withinLearnedTimeout = since <= th.keepaliveTimeoutIntervals * interval + slack
        let withinPythonDefaults =
            stall >= window.lowerBound.milliseconds && stall <= window.upperBound.milliseconds + context.ms(\.keepaliveStallLateness)
            && since <= window.upperBound.milliseconds
        guard since >= minimumWait, withinLearnedTimeout || withinPythonDefaults else { return nil }
        firstUnansweredAtMs = first
        unanswered = f.unansweredServerPingsAtMs.count
        intervalMs = interval
        sinceFirstUnansweredMs = since
        stallMs = stall
        noPongEver = f.lastOutboundPongAtMs == nil
    }

    /// The evidence line: the pings, the learned interval, and the timing of the end.
    var evidence: Evidence {
        let withheld = noPongEver ? "; we answered none of them (pongs withheld or blocked)" : ""
        return Evidence(
            rule: RuleName.timingKeepalive,
            observation:
                "\(unanswered) server ping(s) went unanswered, the first at \(Describe.ms(firstUnansweredAtMs)); the server pings every \(Describe.seconds(intervalMs)) (learned from its pings) and the end came \(Describe.ms(sinceFirstUnansweredMs)) after the first unanswered one, within its own ping timeout\(withheld)"
        )
    }
}
