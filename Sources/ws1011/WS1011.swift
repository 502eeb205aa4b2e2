import ArgumentParser
import Foundation
import WebSocketProbe

/// The `ws1011` command: reproduce and isolate WebSocket failures and say which layer they come from.
///
/// Exit codes: 0 healthy, 1 a failure was diagnosed, 2 a usage or configuration error.
@main
struct WS1011: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "ws1011",
        abstract: "Reproduce and isolate WebSocket failures (1011 and look-alikes) and prove which layer they come from.",
        discussion: "Exit codes: 0 healthy, 1 a failure was diagnosed, 2 a usage or configuration error.",
        version: version,
        subcommands: [DiagnoseCommand.self, AnalyzeCommand.self, LabCommand.self, ProxyCommand.self, ExporterCommand.self, ReproduceCommand.self, ScenariosCommand.self],
        defaultSubcommand: nil)

    /// What `ws1011 --version` prints: the release and the report contracts it writes.
    static let version = "ws1011 0.1.0 (reports: ws1011.report/1, ws1011.reproduce/1)"

    /// Parses, runs, and maps every error to the documented exit codes (ArgumentParser's own
    /// usage errors become 2, not 64).
    static func main() async {
        Console.prepare()
        // Before parsing: ArgumentParser's own errors quote arguments (an unquoted
        // `--header Authorization: Bearer TOKEN` is "unexpected arguments: 'TOKEN'").
        Console.register(arguments: Array(CommandLine.arguments.dropFirst()))
        do {
            var command = try parseAsRoot()
            if var asyncCommand = command as? any AsyncParsableCommand {
                try await asyncCommand.run()
            } else {
                try command.run()
            }
        } catch {
            Foundation.exit(code(for: error))
        }
    }

    /// Prints the message for `error` and returns the exit code.
    static func code(for error: any Error) -> Int32 {
        switch error {
        // One line each: a message may quote a server's answer, whose line breaks must not draw lines of their own.
        case let e as ProbeError:
            Console.error("ws1011: error: \(TerminalText.line(e.description))")
            return 2
        case let e as UsageError:
            Console.error("ws1011: error: \(TerminalText.line(e.message))")
            return 2
        case let e as ExitCode:
            return e.rawValue
        default:
            let exitCode = exitCode(for: error)
            let message = fullMessage(for: error)
            if exitCode == .success {
                if !message.isEmpty { Console.out(message + "\n") }
                return 0
            }
            if exitCode == .validationFailure || String(describing: type(of: error)).contains("CommandError")
                || error is ValidationError
            {
                Console.error(message)
                return 2
            }
            // Start-up errors of the lab or proxy (port in use, bad fault spec): configuration problems.
            Console.error("ws1011: error: \(message.isEmpty ? String(describing: error) : message)")
            return 2
        }
    }
}

/// A usage error raised after parsing (conflicting options, unreadable files): exit 2.
struct UsageError: Error, CustomStringConvertible {
    var message: String
    init(_ message: String) { self.message = message }
    var description: String { message }
}
