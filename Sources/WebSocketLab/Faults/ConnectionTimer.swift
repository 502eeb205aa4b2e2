/// A timer a `ConnectionTimerFault` arms on a connection.
public struct ConnectionTimer: Sendable, Equatable {
    /// What the timer counts from.
    public enum Start: Sendable, Equatable {
        /// From the TCP accept, whatever the traffic.
        case connect
        /// From the 101 (not armed for a request that is not upgraded).
        case upgrade
        /// From the last byte in `direction`, restarted by every byte (armed at the 101).
        case idle(FaultDirection)
    }

    /// What the timer counts from.
    public var start: Start
    /// How long.
    public var after: Duration
    /// What happens when it fires.
    public var action: ConnectionAction

    /// Creates a timer.
    public init(start: Start, after: Duration, action: ConnectionAction) {
        self.start = start
        self.after = after
        self.action = action
    }
}
