import Foundation

/// A root certificate written for the user to pass to `--ca-file`, removed again when the command stops.
///
/// The lab and the proxy keep their CA in memory; only the command that prints "diagnose with
/// --ca-file PATH" writes one, into the temporary folder, readable by its owner only, and deletes it on
/// the way out.
struct TemporaryCAFile {
    /// Where the PEM is.
    let path: String

    /// Writes `pem` to `ws1011-NAME-ca-PID.pem` in the temporary folder.
    init(pem: String, name: String) throws {
        path = FileManager.default.temporaryDirectory.appendingPathComponent("ws1011-\(name)-ca-\(getpid()).pem").path
        guard FileManager.default.createFile(atPath: path, contents: Data(pem.utf8), attributes: [.posixPermissions: 0o600]) else {
            throw UsageError("cannot write the CA file \(path): check the temporary folder (TMPDIR)")
        }
    }

    /// Deletes the file.
    func remove() {
        try? FileManager.default.removeItem(atPath: path)
    }
}
