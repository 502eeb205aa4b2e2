/// A topology that cannot be started (a missing component, a port that cannot be bound).
struct ScenarioTopologyError: Error, CustomStringConvertible {
    var message: String
    var description: String { message }
}
