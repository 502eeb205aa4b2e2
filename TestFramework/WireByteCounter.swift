import Synchronization
import WebSocketDiagnosis

/// Counts bytes that crossed a socket during one test, so `.realIO` can prove real I/O happened.
///
/// Bound to the running test through a task-local (child tasks inherit it); the framework's helpers
/// (``TestConnections``, the scenario and probe helpers) register every transcript's `wire` counters.
public final class WireByteCounter: Sendable {
    private let state = Mutex<(bytes: Int, transcripts: Int)>((0, 0))

    /// The counter of the running test, when it uses `.realIO`.
    @TaskLocal public static var current: WireByteCounter?

    /// A fresh counter.
    public init() {}

    /// Bytes registered so far.
    public var bytes: Int { state.withLock { $0.bytes } }
    /// Transcripts registered so far.
    public var transcripts: Int { state.withLock { $0.transcripts } }

    /// Adds `count` bytes.
    public func add(bytes count: Int) {
        state.withLock { $0.bytes += max(0, count) }
    }

    /// Registers a transcript's wire counters with the running test's counter (no-op outside `.realIO`).
    public static func register(_ transcript: ConnectionTranscript?) {
        guard let transcript, let counter = current else { return }
        counter.state.withLock {
            $0.bytes += transcript.wire.bytesIn + transcript.wire.bytesOut
            $0.transcripts += 1
        }
    }

    /// Registers every transcript of a diagnosis report.
    public static func register(_ report: DiagnosisReport) {
        register(report.transcript)
        register(report.directTranscript)
        register(report.measurements?.idleTranscript)
        register(report.measurements?.lifetimeTranscript)
    }
}
