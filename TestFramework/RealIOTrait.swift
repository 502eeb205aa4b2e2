import Testing

/// Fails a test that claims real I/O when no byte crossed a socket during it — the plan's "0-second tests
/// fail" rule, made exact.
///
/// Bytes are counted from the `wire` counters of every transcript the framework's helpers saw during the
/// test (``WireByteCounter``). A test that talks to the network only through its own code must register its
/// transcripts with ``WireByteCounter/register(_:)-(ConnectionTranscript?)``.
public struct RealIOTrait: TestTrait, TestScoping {
    /// The least number of bytes that must have crossed a socket (default 1).
    public var minimumBytes: Int

    /// Requires at least `minimumBytes` bytes on the wire.
    public init(minimumBytes: Int = 1) { self.minimumBytes = minimumBytes }

    /// Runs the test with a fresh ``WireByteCounter`` and fails it when fewer than ``minimumBytes`` crossed a socket.
    public func provideScope(for test: Test, testCase: Test.Case?, performing function: @Sendable () async throws -> Void) async throws {
        let counter = WireByteCounter()
        try await WireByteCounter.$current.withValue(counter) {
            try await function()
        }
        if counter.bytes < minimumBytes {
            Issue.record(
                """
                '\(test.name)' claims real I/O (.realIO) but \(counter.bytes) byte(s) crossed a socket \
                (\(counter.transcripts) transcript(s) registered; at least \(minimumBytes) required). \
                A test that touches no network must not pass as a network test: connect through TestConnections \
                or register the transcripts with WireByteCounter.register(_:).
                """)
        }
    }
}

extension Trait where Self == RealIOTrait {
    /// The test must move at least one byte over a real socket.
    public static var realIO: Self { RealIOTrait() }
    /// The test must move at least `bytes` bytes over a real socket.
    public static func realIO(minimumBytes bytes: Int) -> Self { RealIOTrait(minimumBytes: bytes) }
}
