/// `keepalive[:interval=1s,timeout=1s]`: the server pings every `interval` and closes 1011
/// "keepalive ping timeout" when no pong came within `timeout` (Python `websockets` / uvicorn behaviour,
/// with short times so a stalled client is caught in seconds).
public struct KeepaliveAppFault: AppFault {
    public static let name = "keepalive"
    public static let parameterNames: Set<String> = ["interval", "timeout"]
    public static let summary = "server pings every interval and closes 1011 \"keepalive ping timeout\" (interval=1s,timeout=1s)"
    /// The keepalive to use.
    public let settings: LabConfiguration.Heartbeat

    public init(spec: FaultSpec) throws(FaultSpecError) {
        try spec.rejectUnknownParameters(Self.parameterNames)
        let interval = try spec.duration("interval", default: .seconds(1))
        let timeout = try spec.duration("timeout", default: .seconds(1))
        guard interval > .zero, timeout > .zero else {
            throw FaultSpecError(spec: spec.description, message: "'interval' and 'timeout' must be above zero")
        }
        settings = .init(interval: interval, timeout: timeout)
    }

    public var heartbeat: LabConfiguration.Heartbeat? { settings }
}
