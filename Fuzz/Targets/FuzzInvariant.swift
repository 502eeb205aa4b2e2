/// A broken invariant found by a fuzz entry point.
public enum FuzzInvariant {
    /// Traps with a message naming the target and what broke (libFuzzer then saves the input).
    public static func fail(_ target: String, _ message: String) -> Never {
        fatalError("ws1011-fuzz[\(target)]: invariant broken: \(message)")
    }
}
