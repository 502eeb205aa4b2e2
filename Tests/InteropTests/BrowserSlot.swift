/// One headless Chromium at a time in the interop pass. A Chromium start takes both cores of a small runner
/// for a second or more; the browser tests, the HAR recordings and the HTML renderings started six at once,
/// and the starvation moved the windows of the timing tests running beside them (a Go server's 1.5 s read
/// deadline read as the front's idle timeout). A test waits for the slot before its browser starts, so the
/// wait changes none of its own timings.
actor BrowserSlot {
    static let shared = BrowserSlot()

    private var busy = false
    private var waiting: [CheckedContinuation<Void, Never>] = []

    /// Runs `body` (which starts one Chromium and waits for it) when no other browser runs.
    func run<T: Sendable>(_ body: @Sendable () async throws -> T) async throws -> T {
        if busy {
            await withCheckedContinuation { waiting.append($0) }
        } else {
            busy = true
        }
        defer {
            if waiting.isEmpty { busy = false } else { waiting.removeFirst().resume() }
        }
        return try await body()
    }
}
