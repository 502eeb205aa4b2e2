// Shared with the tests through a symlink, like FuzzTarget.swift.

/// Carries one value out of a detached task (written once before the semaphore is signalled).
final class BlockingBox<T>: @unchecked Sendable {
    var value: T?
}
