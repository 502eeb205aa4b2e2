import Foundation
import WebSocketProbe

/// Reads a secret (a token, a signing secret) from somewhere argv does not show: a file, standard
/// input (`-`), or an environment variable — so that `ps`, shell history and CI logs never see it.
/// The rules for its text are ``SecretText``'s.
enum SecretInput {
    /// The secret in `path` (`-` for standard input), with one trailing newline removed.
    /// - Throws: an error naming `option` and the problem (missing, unreadable, empty, too large,
    ///   control characters inside), never the secret itself.
    static func read(path: String, option: String) throws -> String {
        let data: Data
        if path == "-" {
            // The throwing read: an unreadable standard input is a usage error, never a trap.
            do {
                data = try FileHandle.standardInput.read(upToCount: SecretText.maxBytes + 1) ?? Data()
            } catch {
                throw UsageError(
                    "\(option) -: standard input cannot be read (\(error.localizedDescription)); pipe the secret in, e.g. `printf %s \"$TOKEN\" | ws1011 …`"
                )
            }
        } else {
            var isDirectory: ObjCBool = false
            guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else {
                throw UsageError(
                    "\(option) '\(path)': no such file. Give the path of a file that holds only the secret, or - for standard input")
            }
            guard !isDirectory.boolValue else {
                throw UsageError(
                    "\(option) '\(path)': a directory. Give the path of a file that holds only the secret, or - for standard input")
            }
            // A file handle, not `contents(atPath:)`: a pipe (`--token-file <(vault read …)`) is read as a file is,
            // and at most one byte more than a secret may hold is read, whatever the file is.
            guard let handle = FileHandle(forReadingAtPath: path) else {
                throw UsageError("\(option) '\(path)': the file is not readable. Check its permissions")
            }
            defer { try? handle.close() }
            do {
                data = try handle.read(upToCount: SecretText.maxBytes + 1) ?? Data()
            } catch {
                throw UsageError("\(option) '\(path)': the file cannot be read (\(error.localizedDescription))")
            }
        }
        return try SecretText.parse(data, source: path == "-" ? "\(option) - (standard input)" : "\(option) '\(path)'")
    }

    /// The secret in environment variable `name`, or `nil` when it is unset or empty.
    static func environment(_ name: String) throws -> String? {
        guard let value = ProcessInfo.processInfo.environment[name], !value.isEmpty else { return nil }
        try SecretText.check(value, source: "$" + name)
        return value
    }

    /// Refuses an empty secret and one with control characters.
    static func check(_ secret: String, option: String) throws {
        try SecretText.check(secret, source: option)
    }
}
