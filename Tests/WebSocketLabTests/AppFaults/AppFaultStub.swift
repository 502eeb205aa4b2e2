import Testing
import WebSocketLab

/// Builds application faults the way the lab does (through the registry) for tests that call their hooks
/// directly: no lab, no sockets, no clock.
enum AppFaultStub {
    /// Backend settings before any fault (a lab's defaults).
    static let base = AppBackendSettings(LabConfiguration())

    /// Builds `text` through ``FaultRegistry/standard`` and returns it as `T`.
    static func make<T: AppFault>(_: T.Type, _ text: String) throws -> T {
        let fault = try FaultRegistry.standard.makeApplicationFault(FaultSpec(parsing: text))
        return try #require(fault as? T, "\(text) builds \(type(of: fault)), not \(T.self)")
    }
}
