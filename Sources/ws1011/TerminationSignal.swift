import Dispatch
import Foundation

/// Waits for SIGINT or SIGTERM with DispatchSource signal handlers (the default actions are
/// ignored while waiting, so the process can shut down cleanly).
enum TerminationSignal {
    /// Returns the signal that arrived.
    static func wait() async -> Int32 {
        let box = Box()
        return await withCheckedContinuation { (continuation: CheckedContinuation<Int32, Never>) in
            box.install(continuation)
        }
    }

    private final class Box: @unchecked Sendable {
        private let lock = NSLock()
        private var sources: [any DispatchSourceSignal] = []
        private var continuation: CheckedContinuation<Int32, Never>?

        func install(_ continuation: CheckedContinuation<Int32, Never>) {
            lock.lock()
            self.continuation = continuation
            lock.unlock()
            for sig in [SIGINT, SIGTERM] {
                signal(sig, SIG_IGN)
                let source = DispatchSource.makeSignalSource(signal: sig, queue: .global())
                source.setEventHandler { [self] in fire(sig) }
                source.resume()
                lock.lock()
                sources.append(source)
                lock.unlock()
            }
        }

        private func fire(_ sig: Int32) {
            lock.lock()
            let c = continuation
            continuation = nil
            let all = sources
            sources = []
            lock.unlock()
            for s in all { s.cancel() }
            // The default actions come back: a second Ctrl-C during a shutdown that hangs ends the process.
            signal(SIGINT, SIG_DFL)
            signal(SIGTERM, SIG_DFL)
            c?.resume(returning: sig)
        }
    }
}
