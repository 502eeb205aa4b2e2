import Testing
import WebSocketProbe

@testable import WebSocketLab

@Suite("latency fault")
struct LatencyFaultTests {
    @Test func echoRoundTripTakesAtLeastTheAddedDelay() async throws {
        let h = try await ProxyHarness.start(faults: ["latency:delay=300ms,jitter=20ms,direction=downstream"])
        let client = try await h.connect()
        await client.send(text: "slow")
        let (reply, ms) = await elapsedMs { await client.receive(timeout: .seconds(2)) }
        #expect(reply == .text("slow"))
        #expect(ms >= 270 && ms < 1500, "round trip \(ms) ms")
        await client.close()
        await h.stop()
    }

    // MARK: - Without sockets

    @Test func eachChunkIsHeldTheDelayPlusASeededJitterAndOrderIsKept() throws {
        let stage = try FaultStub("latency:delay=100ms,jitter=20ms").stage()
        let first = stage.feed([1, 2, 3], atMs: 0)
        let second = stage.feed([4], atMs: 1)
        guard case .bytes(let a, let atA)? = first.first, case .bytes(let b, let atB)? = second.first else {
            Issue.record("no bytes out: \(first) \(second)")
            return
        }
        #expect(a == [1, 2, 3] && b == [4])
        #expect(atA >= 80 && atA <= 120, "first chunk at \(atA) ms")
        #expect(atB >= atA, "order kept: \(atB) ms after \(atA) ms")
        #expect(atB <= 121)
        // The same seed gives the same times; no jitter gives exactly the delay.
        let again = try FaultStub("latency:delay=100ms,jitter=20ms").stage()
        #expect(again.feed([1, 2, 3], atMs: 0) == first)
        #expect(try FaultStub("latency:delay=100ms").stage().feed([9], atMs: 5) == [.bytes([9], atMs: 105)])
    }

    @Test func jitterIsDrawnFromTheInjectedSource() throws {
        var spreads: Set<Double> = []
        for seed in UInt64(1)...8 {
            let stage = try FaultStub("latency:delay=100ms,jitter=50ms", seed: seed).stage()
            if case .bytes(_, let at)? = stage.feed([0]).first { spreads.insert(at) }
        }
        #expect(spreads.count > 1, "different seeds, different jitter: \(spreads)")
        #expect(spreads.allSatisfy { $0 >= 50 && $0 <= 150 })
    }
}
