// Shared with the tests through a symlink, like FuzzTarget.swift.

/// A broken invariant found by a fuzz entry point.
enum FuzzInvariant {
    /// Traps with a message naming the target and what broke (libFuzzer then saves the input).
    static func fail(_ target: String, _ message: String) -> Never {
        fatalError("ws1011-fuzz[\(target)]: invariant broken: \(message)")
    }
}
