import Testing

@testable import WebSocketDiagnosis

/// Evidence says how the lifetime probe pinged as it was run, and gives no interval a record did not keep.
@Suite("Describe: the lifetime probe's pings")
struct DescribePingsTests {
    static func measurements(pingIntervalMs: Double?) -> Measurements {
        var m = Measurements(idleTimeoutMs: nil, lifetimeMs: 5000, idleProbeMs: nil, lifetimeProbeMs: 10000)
        m.pingIntervalMs = pingIntervalMs
        return m
    }

    @Test func theRecordedIntervalIsTheOneSaid() {
        #expect(Describe.pings(Self.measurements(pingIntervalMs: 250)) == "a ping every 250 ms")
        #expect(Describe.pings(Self.measurements(pingIntervalMs: 1000)) == "a ping every second")
        #expect(Describe.pings(Self.measurements(pingIntervalMs: 5000)) == "a ping every 5 s")
    }

    @Test func noRecordedIntervalIsNotCalledOneSecond() {
        #expect(Describe.pings(Self.measurements(pingIntervalMs: nil)) == "pings, interval not recorded")
        #expect(Describe.pings(nil) == "pings, interval not recorded")
    }
}
