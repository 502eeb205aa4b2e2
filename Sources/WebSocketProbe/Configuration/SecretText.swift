import Foundation

/// The rules for a secret (a token, a signing secret) read from a file, standard input or the
/// environment: one line of printable characters.
///
/// A secret with CR, LF, NUL, ESC or another control character inside is refused, never altered:
/// sent in a header it would split the request; changed silently it would not be the user's secret.
/// Errors name where the secret came from and the problem, never the secret.
public enum SecretText {
    /// The largest secret file read (a token or a key is far smaller; a bigger file is a mistake).
    public static let maxBytes = 64 << 10

    /// The secret in `data` (a file's or standard input's bytes), with one trailing newline (`\n` or
    /// `\r\n`) removed.
    /// - Parameter source: how the user gave it (`--token-file 'path'`), for the error message.
    /// - Throws: ``ProbeError`` naming `source` and the problem.
    public static func parse(_ data: Data, source: String) throws(ProbeError) -> String {
        guard data.count <= maxBytes else {
            throw ProbeError.invalidConfiguration("\(source): more than \(maxBytes >> 10) KiB; the file must hold only the secret")
        }
        guard var text = String(data: data, encoding: .utf8) else {
            throw ProbeError.invalidConfiguration("\(source): not UTF-8 text; the file must hold only the secret")
        }
        if text.hasSuffix("\r\n") {
            text.removeLast()  // "\r\n" is one Character
        } else if text.hasSuffix("\n") {
            text.removeLast()
        }
        try check(text, source: source)
        return text
    }

    /// Refuses an empty secret and one with a control character (C0, DEL, C1) anywhere.
    public static func check(_ secret: String, source: String) throws(ProbeError) {
        guard !secret.isEmpty else { throw ProbeError.invalidConfiguration("\(source) is empty: give the secret itself") }
        if let name = controlCharacter(in: secret) {
            throw ProbeError.invalidConfiguration(
                "\(source) contains \(name) (the value is not shown): a secret is one line of printable characters. Remove it (a file may end with one newline)"
            )
        }
    }

    /// The first control character (C0, DEL, C1) in `secret`, named for a message ("a line feed",
    /// "control character U+001B"), or `nil` when there is none.
    public static func controlCharacter(in secret: String) -> String? {
        guard let bad = secret.unicodeScalars.first(where: { $0.value < 0x20 || $0.value == 0x7F || (0x80...0x9F).contains($0.value) })
        else {
            return nil
        }
        return switch bad.value {
        case 0x0A: "a line feed"
        case 0x0D: "a carriage return"
        case 0x09: "a tab"
        default: "control character U+" + String(format: "%04X", bad.value)
        }
    }
}
