
/// Bounded waits that return even when the awaited work ignores cancellation.
enum BoundedWait {
    /// Runs `operation` and returns its result, or `nil` when `timeout` passes first.
    /// The operation keeps running in the background when it loses (its result is dropped).
    static func race<T: Sendable>(timeout: Duration, _ operation: @escaping @Sendable () async -> T) async -> T? {
        let once = LockedBox<CheckedContinuation<T?, Never>?>(nil)
        return await withCheckedContinuation { (continuation: CheckedContinuation<T?, Never>) in
            once.withLock { $0 = continuation }
            let worker = Task {
                let value = await operation()
                once.withLock { c in
                    c?.resume(returning: value)
                    c = nil
                }
            }
            Task {
                try? await Task.sleep(for: timeout)
                once.withLock { c in
                    c?.resume(returning: nil)
                    c = nil
                }
                worker.cancel()
            }
        }
    }
}
