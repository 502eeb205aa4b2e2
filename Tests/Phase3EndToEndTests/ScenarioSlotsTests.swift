import Synchronization
import Testing

@testable import WebSocketTestFramework

/// The catalog's bound on scenarios at once in one test process (``ScenarioSlots``).
@Suite("Phase3 scenario slots")
struct ScenarioSlotsTests {
    @Test func noMoreThanTheLimitRunAtOnceAndEveryOneRuns() async {
        let slots = ScenarioSlots(limit: 2)
        let counts = SlotCounts()
        await withTaskGroup(of: Void.self) { group in
            for _ in 0..<7 {
                group.addTask {
                    await slots.withSlot {
                        counts.withLock { c in
                            c.now += 1
                            c.most = max(c.most, c.now)
                        }
                        try? await Task.sleep(for: .milliseconds(20))
                        counts.withLock { c in
                            c.now -= 1
                            c.done += 1
                        }
                    }
                }
            }
        }
        let (most, done) = counts.withLock { ($0.most, $0.done) }
        #expect(most <= 2, "\(most) scenarios ran at once; the limit is 2")
        #expect(most == 2, "the slots were never both used")
        #expect(done == 7)
    }
}

/// Scenarios in their slots now, the most at once, and the ones done.
final class SlotCounts: Sendable {
    private let state = Mutex<(now: Int, most: Int, done: Int)>((0, 0, 0))
    func withLock<T>(_ body: (inout (now: Int, most: Int, done: Int)) -> T) -> T { state.withLock { body(&$0) } }
}
