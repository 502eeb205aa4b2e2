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
        subcommands: [
            DiagnoseCommand.self, AnalyzeCommand.self, LabCommand.self, ProxyCommand.self, ExporterCommand.self, ReproduceCommand.self,
            ScenariosCommand.self, ProfilesCommand.self,
        ],
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
        var command: any ParsableCommand
        do {
            command = try parseAsRoot()
        } catch {
            Foundation.exit(parseFailureCode(for: error))
        }
        do {
            if var asyncCommand = command as? any AsyncParsableCommand {
                try await asyncCommand.run()
            } else {
                try command.run()
            }
        } catch {
            Foundation.exit(code(for: error))
        }
    }

    /// Prints ArgumentParser's message for an error of parsing or validation and returns the exit code:
    /// 0 for `--help` and `--version`, 2 for everything else (an unknown option, a missing value).
    static func parseFailureCode(for error: any Error) -> Int32 {
        let message = fullMessage(for: error)
        if exitCode(for: error) == .success {
            if !message.isEmpty { Console.out(message + "\n") }
            return 0
        }
        Console.error(message)
        return 2
    }

    /// Prints the message for an error a subcommand threw and returns the exit code.
    static func code(for error: any Error) -> Int32 {
        switch error {
        // One line each: a message may quote a server's answer, whose line breaks must not draw lines of their own.
        case let e as any CommandFailure:
            Console.error("ws1011: error: \(TerminalText.line(e.message))")
            return e.exitCode
        case let e as ExitCode:
            return e.rawValue
        case is ValidationError:
            Console.error(fullMessage(for: error))
            return 2
        default:
            // ArgumentParser's `--help` of a subcommand runs as a command that ends with a clean exit.
            if exitCode(for: error) == .success { return parseFailureCode(for: error) }
            // Start-up errors of the lab or proxy (port in use, bad fault spec): configuration problems.
            let message = fullMessage(for: error)
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
