import Foundation

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// The report paths a run will write (`--json`, `--junit`, `--html`), checked before the run starts so a
/// typo costs a usage error, not a whole diagnosis whose report is then lost.
enum OutputPath {
    /// Throws a ``UsageError`` naming the option and the path when one of `paths` cannot be written: its
    /// folder is missing or not writable, or the path is a folder or a file that cannot be written.
    static func check(_ paths: [(option: String, path: String?)]) throws {
        for (option, path) in paths {
            guard let path else { continue }
            let url = URL(fileURLWithPath: path)
            var isDirectory: ObjCBool = false
            if FileManager.default.fileExists(atPath: url.path, isDirectory: &isDirectory) {
                if isDirectory.boolValue {
                    throw UsageError("\(option) '\(path)' is a folder: give a file path, e.g. \(url.appendingPathComponent("report").path)")
                }
                if access(url.path, W_OK) != 0 {
                    throw UsageError("\(option) '\(path)' cannot be written (\(String(cString: strerror(errno)))): give a writable path")
                }
                continue
            }
            let folder = url.deletingLastPathComponent()
            guard FileManager.default.fileExists(atPath: folder.path, isDirectory: &isDirectory), isDirectory.boolValue else {
                throw UsageError("\(option) '\(path)': the folder \(folder.path) does not exist; create it or give another path")
            }
            if access(folder.path, W_OK | X_OK) != 0 {
                throw UsageError(
                    "\(option) '\(path)': the folder \(folder.path) is not writable (\(String(cString: strerror(errno)))); give a writable path"
                )
            }
        }
    }
}
