import Dispatch
import Foundation

/// SIGINT/SIGTERM during a run: the first one calls `onFirst` (which stops the probes, so the partial
/// report is still written); a second one exits at once with 128 + the signal.
final class SignalStop: @unchecked Sendable {
    private let lock = NSLock()
    private var sources: [any DispatchSourceSignal] = []
    private var fired = false

    /// Installs the handlers; call ``cancel()`` when the run is over.
    static func install(_ onFirst: @escaping @Sendable (Int32) -> Void) -> SignalStop {
        let stop = SignalStop()
        for sig in [SIGINT, SIGTERM] {
            signal(sig, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: sig, queue: .global())
            source.setEventHandler { [stop] in
                let first = stop.lock.withLock { () -> Bool in
                    defer { stop.fired = true }
                    return !stop.fired
                }
                if first {
                    Console.error(
                        "\nws1011: \(sig == SIGINT ? "SIGINT" : "SIGTERM"): stopping the probes and writing the partial report (again to quit at once)"
                    )
                    onFirst(sig)
                } else {
                    exit(128 + sig)
                }
            }
            source.resume()
            stop.sources.append(source)
        }
        return stop
    }

    /// Removes the handlers and restores the default actions.
    func cancel() {
        let all = lock.withLock { () -> [any DispatchSourceSignal] in
            defer { sources = [] }
            return sources
        }
        for source in all { source.cancel() }
        for sig in [SIGINT, SIGTERM] { signal(sig, SIG_DFL) }
    }
}
