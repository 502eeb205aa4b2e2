import WebSocketDiagnosis

/// One live progress update from a long probe step ("holding a silent connection: 12s / 60s").
public struct ProbeProgress: Sendable, Equatable {
    /// Which activity is reporting (`sustain`, `idle-probe`, `lifetime-probe`, `agent-events`, …).
    public var activity: String
    /// What is being waited for, in words.
    public var waitingFor: String
    /// Time spent so far.
    public var elapsed: Duration
    /// The bound of the wait, when there is one.
    public var total: Duration?
    /// `true` for the last update of an activity.
    public var finished: Bool

    /// Creates an update.
    public init(activity: String, waitingFor: String, elapsed: Duration, total: Duration? = nil, finished: Bool = false) {
        self.activity = activity
        self.waitingFor = waitingFor
        self.elapsed = elapsed
        self.total = total
        self.finished = finished
    }

    /// One line for a terminal: `sustain  12s / 35s  connection up with traffic`.
    public var line: String {
        let e = DurationText.format(elapsed)
        let t = total.map { " / " + DurationText.format($0) } ?? ""
        return "\(activity)  \(e)\(t)  \(waitingFor)\(finished ? " — done" : "")"
    }
}

/// Receives progress updates; must be cheap and must not block.
public typealias ProbeProgressSink = @Sendable (ProbeProgress) -> Void
