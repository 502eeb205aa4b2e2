import Testing
import WebSocketLab
import WebSocketTestFramework

/// Phase 3: the 1011 reproduction catalog — one parameterised test over every scenario file.
@Suite("Phase3 WebSocket1011ReproductionSuiteTests", .tags(.phase3, .e2e))
struct Phase3WebSocket1011ReproductionSuiteTests {
    @Test("Every catalog file loads: a malformed scenario is reported with its path and field")
    func catalogLoads() {
        #expect(ScenarioHarness.catalog.errors.isEmpty, "\(ScenarioHarness.catalog.errors.map(\.description))")
        #expect(ScenarioHarness.catalog.scenarios.count >= 25, "the catalog must hold at least 25 scenarios")
    }

    @Test(
        "The scenario reproduces its real-world signature and gets its verdict from the classifier", .realIO, arguments: ScenarioHarness.ids
    )
    func scenarioReproduces(id: String) async {
        await ScenarioHarness.expectReproduces(id)
    }
}
