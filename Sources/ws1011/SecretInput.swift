import Foundation

/// Reads a secret (a token, a signing secret) from somewhere argv does not show: a file, standard
/// input (`-`), or an environment variable — so that `ps`, shell history and CI logs never see it.
enum SecretInput {
    /// The largest secret file read (a token or a key is far smaller; a bigger file is a mistake).
    static let maxBytes = 64 << 10

    /// The secret in `path` (`-` for standard input), with one trailing newline (`\n` or `\r\n`) removed.
    /// - Throws: ``UsageError`` naming `option` and the problem (unreadable, empty, too large, control
    ///   characters inside), never the secret itself.
    static func read(path: String, option: String) throws -> String {
        let data: Data
        if path == "-" {
            data = FileHandle.standardInput.readData(ofLength: maxBytes + 1)
        } else {
            guard FileManager.default.fileExists(atPath: path) else {
                throw UsageError("\(option) '\(path)': no such file. Give the path of a file that holds only the secret, or - for standard input")
            }
            guard let read = FileManager.default.contents(atPath: path) else {
                throw UsageError("\(option) '\(path)': the file is not readable. Check its permissions")
            }
            data = read
        }
        guard data.count <= maxBytes else {
            throw UsageError("\(option) '\(path)': more than \(maxBytes >> 10) KiB; the file must hold only the secret")
        }
        guard var text = String(data: data, encoding: .utf8) else {
            throw UsageError("\(option) '\(path)': not UTF-8 text; the file must hold only the secret")
        }
        if text.hasSuffix("\r\n") { text.removeLast(1) } else if text.hasSuffix("\n") { text.removeLast() }
        try check(text, option: option)
        return text
    }

    /// The secret in environment variable `name`, or `nil` when it is unset or empty.
    static func environment(_ name: String) throws -> String? {
        guard let value = ProcessInfo.processInfo.environment[name], !value.isEmpty else { return nil }
        try check(value, option: "$" + name)
        return value
    }

    /// Refuses an empty secret and one with control characters (CR, LF, NUL, ESC…): sent in a header it
    /// would split the request; changed silently it would not be the user's secret.
    static func check(_ secret: String, option: String) throws {
        guard !secret.isEmpty else { throw UsageError("\(option) is empty: give the secret itself") }
        if let bad = secret.unicodeScalars.first(where: { $0.value < 0x20 || $0.value == 0x7F || (0x80...0x9F).contains($0.value) }) {
            let name = bad.value == 0x0A ? "a line feed" : bad.value == 0x0D ? "a carriage return" : String(format: "control character 0x%02X", bad.value)
            throw UsageError("\(option) contains \(name) (the value is not shown): a secret is one line of printable characters. Remove it (a file may end with one newline)")
        }
    }
}
