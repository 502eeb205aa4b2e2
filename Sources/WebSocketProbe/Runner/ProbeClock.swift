/// The runner's source of time: monotonic elapsed time and bounded sleeps, injectable for tests.
public struct ProbeClock: Sendable {
    /// Elapsed time since an arbitrary fixed origin (monotonic).
    public var now: @Sendable () -> Duration
    /// Sleeps for a duration (throws on cancellation).
    public var sleep: @Sendable (Duration) async throws -> Void

    /// A clock from two functions.
    public init(now: @escaping @Sendable () -> Duration, sleep: @escaping @Sendable (Duration) async throws -> Void) {
        self.now = now
        self.sleep = sleep
    }

    /// The real monotonic clock (`ContinuousClock`).
    public static var continuous: ProbeClock {
        let clock = ContinuousClock()
        let origin = clock.now
        return ProbeClock(now: { origin.duration(to: clock.now) }, sleep: { try await clock.sleep(for: $0) })
    }
}
