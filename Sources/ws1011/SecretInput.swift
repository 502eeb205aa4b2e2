import Foundation

/// Secrets given without argv (where `ps`, shell history and CI logs would see them): from a file, from
/// standard input (`-`), or from an environment variable.
///
/// The rules are the same for every source: one trailing newline (`\n` or `\r\n`, what editors and
/// `echo` add) is dropped; an empty secret, or one with a line break or another control character
/// inside, is a usage error that names the source and the problem, never the secret. Files are read
/// up to ``maxBytes``, so `/dev/zero` or an endless pipe is an error, not a hang on memory.
enum SecretInput {
    /// The largest secret accepted from a file or standard input: 64 KiB.
    static let maxBytes = 64 * 1024

    /// Reads the secret in the file at `path`, or standard input when `path` is `-`.
    ///
    /// - Throws: ``UsageError`` when the file cannot be read, is larger than ``maxBytes``, or holds an
    ///   empty secret or one with control characters.
    static func read(path: String) throws -> String {
        let source = path == "-" ? "standard input" : "'\(path)'"
        let handle: FileHandle
        if path == "-" {
            handle = FileHandle.standardInput
        } else {
            var isDirectory: ObjCBool = false
            guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else {
                throw UsageError("cannot read the secret file \(source): no such file")
            }
            guard !isDirectory.boolValue else { throw UsageError("cannot read the secret file \(source): it is a directory") }
            guard let opened = FileHandle(forReadingAtPath: path) else {
                throw UsageError("cannot read the secret file \(source): permission denied or not a readable file")
            }
            handle = opened
        }
        defer { if path != "-" { try? handle.close() } }
        var bytes: [UInt8] = []
        do {
            while bytes.count <= maxBytes {
                guard let chunk = try handle.read(upToCount: maxBytes + 1 - bytes.count), !chunk.isEmpty else { break }
                bytes += chunk
            }
        } catch {
            throw UsageError("cannot read the secret from \(source): \(error.localizedDescription)")
        }
        guard bytes.count <= maxBytes else {
            throw UsageError("the secret from \(source) is larger than \(maxBytes / 1024) KiB: give a file that holds only the secret")
        }
        guard let text = String(bytes: bytes, encoding: .utf8) else {
            throw UsageError("the secret from \(source) is not UTF-8 text")
        }
        return try validate(dropOneNewline(text), source: source)
    }

    /// Checks a secret given inline (an option or an environment variable named by `source`).
    ///
    /// - Throws: ``UsageError`` for an empty secret or one with a line break or control character.
    static func validate(_ secret: String, source: String) throws -> String {
        guard !secret.isEmpty else {
            throw UsageError("the secret from \(source) is empty: put the secret itself there (one line, no quotes)")
        }
        if let index = secret.unicodeScalars.firstIndex(where: isControl) {
            let position = secret.unicodeScalars.distance(from: secret.unicodeScalars.startIndex, to: index)
            let scalar = secret.unicodeScalars[index]
            let what = scalar == "\n" || scalar == "\r" ? "a line break" : "a control character"
            throw UsageError(
                "the secret from \(source) contains \(what) (\(escaped(scalar)) at character \(position + 1)): "
                    + "a secret must be one line of printable text (one trailing newline is ignored)")
        }
        return secret
    }

    /// `text` without one trailing `\n` or `\r\n`.
    static func dropOneNewline(_ text: String) -> String {
        if text.hasSuffix("\r\n") { return String(text.unicodeScalars.dropLast(2)) }
        if text.hasSuffix("\n") { return String(text.unicodeScalars.dropLast()) }
        return text
    }

    private static func isControl(_ scalar: Unicode.Scalar) -> Bool {
        scalar.value < 0x20 || (0x7F...0x9F).contains(scalar.value) || scalar == "\u{2028}" || scalar == "\u{2029}"
    }

    private static func escaped(_ scalar: Unicode.Scalar) -> String {
        switch scalar {
        case "\n": "\\n"
        case "\r": "\\r"
        case "\t": "\\t"
        default: "\\u{" + String(scalar.value, radix: 16) + "}"
        }
    }
}
