import Foundation

/// At most ``limit`` catalog scenarios run at once in one test process, as `ws1011 reproduce --parallel`
/// bounds them: a parameterised test over the catalog would otherwise start every scenario's lab and proxy
/// together, and on a busy runner a 2 s lifetime cap would fire before a crowded front answered the upgrade.
/// A scenario waits for a slot before its clocks start, so waiting changes none of its timings.
///
/// The limit is `$WS1011_SCENARIO_PARALLEL` when set (a positive number), otherwise 4.
actor ScenarioSlots {
    static let shared = ScenarioSlots(limit: ScenarioSlots.configuredLimit)

    static var configuredLimit: Int {
        if let text = ProcessInfo.processInfo.environment["WS1011_SCENARIO_PARALLEL"], let n = Int(text), n > 0 { return n }
        return 4
    }

    let limit: Int
    private var running = 0
    private var waiting: [CheckedContinuation<Void, Never>] = []

    init(limit: Int) { self.limit = max(1, limit) }

    /// Runs `body` in a slot; the slot is released when it returns.
    func withSlot<T: Sendable>(_ body: @Sendable () async -> T) async -> T {
        if running < limit {
            running += 1
        } else {
            await withCheckedContinuation { waiting.append($0) }
        }
        let result = await body()
        if waiting.isEmpty {
            running -= 1
        } else {
            waiting.removeFirst().resume()
        }
        return result
    }
}
