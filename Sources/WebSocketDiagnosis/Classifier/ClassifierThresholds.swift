/// The time windows the timing rules use (docs/FAILURE_SIGNATURES.md rule 3).
///
/// Defaults suit real deployments and loopback tests alike: the windows are relative to what the
/// transcript shows (time since open, since the last frame), not to any particular product's timeout.
public struct ClassifierThresholds: Sendable, Equatable {
    /// A transport end this soon after one of our application messages, with no answer in between,
    /// counts as "right after the message" (a size limit or an exception). Default 1.5 s.
    public var afterMessageWindow: Duration
    /// Silence (no frame in a direction) at least this long before a bare end counts as idle. Default 1 s.
    public var minimumSilence: Duration
    /// Without a lifetime measurement, a bare end under traffic earlier than this after open is too
    /// short to call a lifetime cap. Default 2 s.
    public var minimumLifetime: Duration
    /// Without a lifetime measurement, a bare end under traffic counts as a cap only when the
    /// connection's age is this close to a whole number of seconds (caps are configured in seconds;
    /// kills and crashes land anywhere). Default 150 ms.
    public var wholeSecondTolerance: Duration
    /// How far a measured timeout may differ from a transcript's timing and still confirm it:
    /// the larger of this and ``measurementRelativeTolerance`` of the value. Default 250 ms.
    public var measurementTolerance: Duration
    /// The relative part of the tolerance above (a fraction of the larger value). Default 0.05 (5 %).
    public var measurementRelativeTolerance: Double
    /// A final silence from the peer counts as idle only when it is longer than the connection's own
    /// longest gap between inbound frames times this factor plus ``cadenceSlack``: a quiet stretch no
    /// longer than the peer's usual cadence is its rhythm, not idleness. Default 1.1.
    public var cadenceFactor: Double
    /// The fixed part of the cadence bound above (scheduling jitter on a busy machine). Default 200 ms.
    public var cadenceSlack: Duration
    /// How late after ``keepaliveStallWindow``'s upper bound a stall may still end (the server's timer
    /// fires on its own tick, a second late at most). Default 1 s.
    public var keepaliveStallLateness: Duration
    /// A server whose keepalive is learned from its pings gives up at most this many intervals after the
    /// first unanswered ping (every library of the table waits a timeout of at most one interval). Default 2.
    public var keepaliveTimeoutIntervals: Double
    /// The slack on that bound, as a fraction of the learned interval (at least ``measurementTolerance``).
    /// Default 0.1.
    public var keepaliveIntervalSlack: Double
    /// A server waits at least half its interval for the pong, but its timer may fire up to this much
    /// early: autobahn (Daphne) quantizes every deadline to a whole second. Default 1 s.
    public var keepaliveTimerQuantum: Duration
    /// An end this close after a server ping is never its keepalive giving up: the ping and the end
    /// arrived together (a kill). Default 50 ms.
    public var keepaliveCoincidence: Duration
    /// A disconnect message (Action Cable, SignalR) explains a close only when it came at most this
    /// long before it. Default 2 s.
    public var disconnectMessageWindow: Duration
    /// The window after pongs stop in which a server keepalive with Python `websockets`/uvicorn defaults fires
    /// (ping every 20 s, timeout 20 s → 20–40 s). Default 15…45 s. A fallback only: ``ServerKeepalive`` first
    /// learns the server's own interval from its pings.
    public var keepaliveStallWindow: ClosedRange<Duration>

    public init(
        afterMessageWindow: Duration = .milliseconds(1500), minimumSilence: Duration = .seconds(1),
        minimumLifetime: Duration = .seconds(2), wholeSecondTolerance: Duration = .milliseconds(150),
        measurementTolerance: Duration = .milliseconds(250), measurementRelativeTolerance: Double = 0.05,
        keepaliveStallWindow: ClosedRange<Duration> = .seconds(15) ... .seconds(45),
        cadenceFactor: Double = 1.1, cadenceSlack: Duration = .milliseconds(200),
        keepaliveStallLateness: Duration = .seconds(1), keepaliveTimeoutIntervals: Double = 2,
        keepaliveIntervalSlack: Double = 0.1, keepaliveTimerQuantum: Duration = .seconds(1),
        keepaliveCoincidence: Duration = .milliseconds(50), disconnectMessageWindow: Duration = .seconds(2)
    ) {
        self.afterMessageWindow = afterMessageWindow
        self.minimumSilence = minimumSilence
        self.minimumLifetime = minimumLifetime
        self.wholeSecondTolerance = wholeSecondTolerance
        self.measurementTolerance = measurementTolerance
        self.keepaliveStallWindow = keepaliveStallWindow
        self.measurementRelativeTolerance = measurementRelativeTolerance
        self.cadenceFactor = cadenceFactor
        self.cadenceSlack = cadenceSlack
        self.keepaliveStallLateness = keepaliveStallLateness
        self.keepaliveTimeoutIntervals = keepaliveTimeoutIntervals
        self.keepaliveIntervalSlack = keepaliveIntervalSlack
        self.keepaliveTimerQuantum = keepaliveTimerQuantum
        self.keepaliveCoincidence = keepaliveCoincidence
        self.disconnectMessageWindow = disconnectMessageWindow
    }
}
