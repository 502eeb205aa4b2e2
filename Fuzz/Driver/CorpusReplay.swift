import Foundation
import WebSocketFuzzTargets

/// The plain build of `ws1011-fuzz`: replays every committed corpus file through its entry point, so CI checks
/// the seeds and every saved crash without sanitizers. A trap kills the process (non-zero exit) right after the
/// file's name was printed.
enum CorpusReplay {
    /// Replays `Fixtures/fuzz-corpus/<target>/*` (or `directory`) for `targets`; returns the exit status.
    static func run(directory: String, targets: [FuzzTarget]) -> Int32 {
        let manager = FileManager.default
        var total = 0
        for target in targets {
            let folder = (directory as NSString).appendingPathComponent(target.rawValue)
            guard let names = try? manager.contentsOfDirectory(atPath: folder) else {
                print("ws1011-fuzz: no corpus at \(folder): run from the package root or pass --corpus DIR")
                return 2
            }
            var count = 0
            for name in names.sorted() where !name.hasPrefix(".") {
                let path = (folder as NSString).appendingPathComponent(name)
                guard let data = manager.contents(atPath: path) else { continue }
                // Unbuffered, so that the name is out before a trap ends the process.
                FileHandle.standardOutput.write(Data("  \(target.rawValue)/\(name)".utf8))
                target.run(Array(data))
                FileHandle.standardOutput.write(Data(" ok\n".utf8))
                count += 1
            }
            print("ws1011-fuzz: \(target.rawValue): \(count) inputs replayed, no trap")
            total += count
        }
        print("ws1011-fuzz: \(total) inputs replayed for \(targets.count) targets")
        return 0
    }
}
