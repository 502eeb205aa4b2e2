import NIOCore

/// A Swift-concurrency `TaskExecutor` that runs tasks on one NIO event loop.
///
/// A `WebSocketConnection` runs on its channel's event loop. A caller that drives a connection in a
/// tight loop (a benchmark, a load generator) can run on that same loop with
/// `withTaskExecutorPreference(EventLoopTaskExecutor(loop)) { … }` and pass `loop` as the
/// connection's `eventLoopGroup`: every `await` on the connection then stays on one thread, the way
/// a single-threaded asyncio client works. (NIO 2.101 has no task executor of its own for event loops.)
///
/// The probe itself runs its `async` work (swift-certificates' chain verification, the keepalive timer) on
/// the connection's loop this way: on a busy machine a job on Swift's cooperative pool waits behind every
/// other task of the process, and would come seconds late.
public final class EventLoopTaskExecutor: TaskExecutor {
    /// The loop the tasks run on.
    public let eventLoop: any EventLoop

    /// An executor that runs tasks on `eventLoop`.
    public init(_ eventLoop: any EventLoop) {
        self.eventLoop = eventLoop
    }

    /// Runs `job` on the loop.
    public func enqueue(_ job: consuming ExecutorJob) {
        let job = UnownedJob(job)
        eventLoop.execute {
            job.runSynchronously(on: self.asUnownedTaskExecutor())
        }
    }
}
