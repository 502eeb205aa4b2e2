import Foundation
import WebSocketScenarios

/// The error loading `data` as a scenario file (`t.json`) gives; nil when it loads.
func scenarioLoadError(_ data: Data) -> ScenarioLoadError? {
    do {
        _ = try ScenarioLoader.decode(data, path: "t.json")
        return nil
    } catch {
        return error
    }
}
