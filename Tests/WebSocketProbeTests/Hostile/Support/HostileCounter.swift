import Synchronization

/// A thread-safe counter for scripts that vary per connection.
final class HostileCounter: Sendable {
    private let value = Mutex(0)
    func next() -> Int {
        value.withLock { v in
            defer { v += 1 }; return v
        }
    }
}
