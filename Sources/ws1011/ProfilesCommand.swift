import ArgumentParser
import Foundation
import WebSocketProbe

/// `ws1011 profiles`: the built-in application profiles, one line each; `init` prints a starter file;
/// `check FILE` validates one.
struct ProfilesCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "profiles",
        abstract: "List the built-in application profiles (the contract `diagnose --profile` speaks).",
        discussion: "Exit codes: 0 listed, 2 a usage error.",
        subcommands: [List.self, Init.self, Check.self],
        defaultSubcommand: List.self)

    /// `ws1011 profiles [list]`.
    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(commandName: "list", abstract: "The built-in profiles, one line each.")

        func run() async throws {
            let width = ApplicationProfile.builtIns.map(\.name.count).max() ?? 0
            for profile in ApplicationProfile.builtIns {
                let aliases = ApplicationProfile.aliases.filter { $0.value == profile.name }.keys.sorted()
                let name = profile.name.padding(toLength: width, withPad: " ", startingAt: 0)
                Console.out("\(name)  \(profile.summary)\(aliases.isEmpty ? "" : " (alias: \(aliases.joined(separator: ", ")))")\n")
            }
            Console.out(
                "Your own application: ws1011 profiles init > my-app.json, edit it, then ws1011 diagnose URL --profile my-app.json\n")
        }
    }

    /// `ws1011 profiles init`.
    struct Init: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "init", abstract: "Print a starter profile file to edit (ws1011 profiles init > my-app.json).")

        func run() async throws {
            Console.out(ProfileLoader.starter + "\n")
        }
    }

    /// `ws1011 profiles check FILE`.
    struct Check: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "check", abstract: "Check a profile file: exit 0 when it can be used, 2 with the field and the fix when not.")

        @Argument(help: "The profile file.")
        var file: String

        func run() async throws {
            do {
                let profile = try ProfileLoader.load(path: file)
                Console.out(
                    "\(file): profile \(profile.name) is usable (\(profile.conversation.count) conversation step(s), \(profile.criticalEvents.count) critical event(s))\n"
                )
            } catch {
                throw UsageError(error.description)
            }
        }
    }
}
