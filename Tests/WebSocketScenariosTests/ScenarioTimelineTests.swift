import Foundation
import Testing
import WebSocketLab
import WebSocketScenarios

/// Timeline steps: what the loader accepts and the field it names when a step is wrong.
@Suite("Scenario timeline: application and proxy faults mid-run")
struct ScenarioTimelineTests {
    static func scenario(path: String = "proxy", timeline: String) -> Data {
        Data(
            """
            {"id": "t", "title": "t", "cause": {"description": "d", "reference": "infrastructure: r"},
             "topology": {"path": "\(path)", "instances": \(path == "proxy" ? 2 : 1)},
             "timeline": \(timeline),
             "probe": {"profile": "reference"},
             "expected": {"signature": {"opened": true}, "verdict": {"layer": "infrastructure", "cause": "infrastructure.connection-dropped"}}}
            """.utf8)
    }

    @Test func aStepCanSwitchProxyFaultsAndLeavesTheOtherListAlone() throws {
        let scenario = try ScenarioLoader.decode(
            Self.scenario(timeline: #"[{"after": "2s", "proxyFaults": ["drain-instance:instance=0,mode=fin"]}]"#), path: "t.json")
        let step = try #require(scenario.timeline.first)
        #expect(step.after.duration == .seconds(2))
        #expect(step.proxyFaults?.map(\.spec.name) == ["drain-instance"])
        #expect(step.appFaults == nil)
    }

    @Test func proxyFaultsInADirectTopologyNameTheField() {
        let error = scenarioLoadError(Self.scenario(path: "direct", timeline: #"[{"after": "1s", "proxyFaults": ["latency:delay=10ms"]}]"#))
        #expect(error?.field == "timeline[0].proxyFaults")
        #expect(error?.message.contains("topology.path") == true)
    }

    @Test func aStepThatChangesNothingIsRefused() {
        let error = scenarioLoadError(Self.scenario(timeline: #"[{"after": "1s"}]"#))
        #expect(error?.field == "timeline[0]")
    }

    @Test func anUnknownProxyFaultInAStepNamesItsIndex() {
        let error = scenarioLoadError(Self.scenario(timeline: #"[{"after": "1s", "proxyFaults": ["no-such-fault"]}]"#))
        #expect(error?.field == "timeline[0].proxyFaults[0]")
    }
}
