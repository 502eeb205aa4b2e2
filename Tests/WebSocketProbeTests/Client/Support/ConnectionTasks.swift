import NIOConcurrencyHelpers
import NIOCore
import Synchronization

/// The tasks that serve a test server's accepted connections, one per connection.
///
/// A connection wrapped in `NIOAsyncChannel` must reach `executeThenClose`, which finishes its writer: a wrapped
/// channel dropped unconsumed traps ("Deinited NIOAsyncWriter without calling finish()"). An accept loop
/// (`for try await connection in inbound`) drops what is still buffered when it is cancelled or ends, which on
/// a busy machine happens as a test stops its server. So every connection gets its task as it is accepted, on
/// the event loop, and ``start(_:_:)`` always runs `executeThenClose` — cancelled at once after ``stopAll()``.
final class ConnectionTasks: Sendable {
    private struct Entry {
        var task: Task<Void, Never>
        var channel: any Channel
    }
    private let state = Mutex<(stopped: Bool, entries: [ObjectIdentifier: Entry])>((false, [:]))

    /// Serves `connection` with `body` in a new task (cancelled from the start once the server has stopped).
    func start(
        _ connection: NIOAsyncChannel<ByteBuffer, ByteBuffer>,
        _ body: @escaping @Sendable (NIOAsyncChannelInboundStream<ByteBuffer>, NIOAsyncChannelOutboundWriter<ByteBuffer>) async -> Void
    ) {
        let channel = connection.channel
        let key = ObjectIdentifier(channel)
        let task = Task {
            _ = try? await connection.executeThenClose { input, output in await body(input, output) }
        }
        let stopped = state.withLock { state in
            if !state.stopped { state.entries[key] = Entry(task: task, channel: channel) }
            return state.stopped
        }
        if stopped {
            task.cancel()
            channel.close(promise: nil)
        }
        channel.closeFuture.whenComplete { _ in
            _ = self.state.withLock { $0.entries.removeValue(forKey: key) }
        }
    }

    /// Cancels every connection task (and every later one) and closes its connection, then waits for the tasks
    /// to end — at most `bound` (a guard against a script that ignores cancellation, not a timing).
    func stopAll(bound: Duration = .seconds(10)) async {
        let entries = state.withLock { state in
            state.stopped = true
            return Array(state.entries.values)
        }
        for entry in entries {
            entry.task.cancel()
            entry.channel.close(promise: nil)
        }
        let ended = NIOLockedValueBox(false)
        let waiter = Task {
            for entry in entries { await entry.task.value }
            ended.withLockedValue { $0 = true }
        }
        let deadline = ContinuousClock.now + bound
        while !ended.withLockedValue({ $0 }), ContinuousClock.now < deadline {
            try? await Task.sleep(for: .milliseconds(20))
        }
        waiter.cancel()
    }
}
