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
    /// the larger of this and 5 % of the value. Default 250 ms.
    public var measurementTolerance: Duration
    /// The window after pongs stop in which a server keepalive with Python `websockets`/uvicorn defaults fires
    /// (ping every 20 s, timeout 20 s → 20–40 s). Default 15…45 s. A fallback only: ``ServerKeepalive`` first
    /// learns the server's own interval from its pings.
    public var keepaliveStallWindow: ClosedRange<Duration>

    public init(
        afterMessageWindow: Duration = .milliseconds(1500), minimumSilence: Duration = .seconds(1),
        minimumLifetime: Duration = .seconds(2), wholeSecondTolerance: Duration = .milliseconds(150),
        measurementTolerance: Duration = .milliseconds(250),
        keepaliveStallWindow: ClosedRange<Duration> = .seconds(15) ... .seconds(45)
    ) {
        self.afterMessageWindow = afterMessageWindow
        self.minimumSilence = minimumSilence
        self.minimumLifetime = minimumLifetime
        self.wholeSecondTolerance = wholeSecondTolerance
        self.measurementTolerance = measurementTolerance
        self.keepaliveStallWindow = keepaliveStallWindow
    }
}

extension Duration {
    /// The duration in milliseconds (transcripts count in milliseconds).
    var milliseconds: Double {
        Double(components.seconds) * 1000 + Double(components.attoseconds) / 1e15
    }
}
