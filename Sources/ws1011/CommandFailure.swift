import WebSocketProbe

/// An error a subcommand throws that knows its exit code and its one-line message.
///
/// ``WS1011/main()`` prints the message and exits with the code; it never guesses a code from an error's
/// type name.
protocol CommandFailure: Error {
    /// The process's exit code (2 for a usage or configuration error).
    var exitCode: Int32 { get }
    /// What went wrong and how to fix it, in one line.
    var message: String { get }
}

extension UsageError: CommandFailure {
    var exitCode: Int32 { 2 }
}

extension ProbeError: CommandFailure {
    /// A plan that cannot run (an unreadable CA file, an unusable target): a configuration error.
    var exitCode: Int32 { 2 }
    var message: String { description }
}
