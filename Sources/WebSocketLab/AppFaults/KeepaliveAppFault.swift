/// `keepalive[:interval=1s,timeout=1s]`: the server pings every `interval` and closes 1011
/// "keepalive ping timeout" when no pong came within `timeout` (Python `websockets` / uvicorn behaviour,
/// with short times so a stalled client is caught in seconds).
public struct KeepaliveAppFault: BackendSettingsAppFault {
    public static let descriptor = FaultDescriptor(
        name: "keepalive",
        summary: "server pings every interval and closes 1011 \"keepalive ping timeout\" (interval=1s,timeout=1s)",
        parameters: [.init("interval", "time between server pings; default 1s"), .init("timeout", "wait for the pong; default 1s")])

    /// The keepalive to use.
    public let settings: LabConfiguration.Heartbeat

    public init(spec: FaultSpec) throws(FaultSpecError) {
        try Self.validate(spec)
        let interval = try spec.duration("interval", default: .seconds(1))
        let timeout = try spec.duration("timeout", default: .seconds(1))
        guard interval > .zero, timeout > .zero else {
            throw FaultSpecError(spec: spec.description, message: "'interval' and 'timeout' must be above zero")
        }
        settings = .init(interval: interval, timeout: timeout)
    }

    public func adjust(_ backend: inout AppBackendSettings) { backend.heartbeat = settings }
}
