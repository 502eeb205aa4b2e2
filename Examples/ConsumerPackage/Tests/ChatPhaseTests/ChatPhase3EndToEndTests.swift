import Testing
import WebSocketScenarios
import WebSocketTestFramework

/// Phase 3: our own reproduction case, run by ws1011's scenario runner beside its built-in catalog.
@Suite("Phase3 EchoChat reproduction cases", .tags(.phase3, .e2e))
struct ChatPhase3EndToEndTests {
    static let catalog = ScenarioHarness.catalog(adding: Chat.scenarios)

    @Test("Our catalog loads beside the built-in one without errors")
    func ownCatalogLoads() {
        #expect(Self.catalog.errors.isEmpty, "\(Self.catalog.errors.map(\.description))")
        #expect(Self.catalog.scenarios.contains { $0.id == "echo-chat-front-idle-cut" })
        #expect(Self.catalog.scenarios.count > ScenarioCatalog.builtIn.scenarios.count)
    }

    @Test("Our front's idle cut reproduces with the verdict we expect", .realIO)
    func ownCaseReproduces() async {
        await ScenarioHarness.expectReproduces("echo-chat-front-idle-cut", in: Self.catalog)
    }
}
