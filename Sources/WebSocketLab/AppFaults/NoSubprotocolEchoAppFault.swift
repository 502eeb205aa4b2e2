/// `no-subprotocol-echo`: the backend accepts the upgrade but does not echo `jwt-auth`; a conforming client
/// must fail the connection.
public struct NoSubprotocolEchoAppFault: BackendSettingsAppFault {
    public static let descriptor = FaultDescriptor(
        name: "no-subprotocol-echo",
        summary: "upgrade accepted without echoing the offered subprotocol")

    public init(spec: FaultSpec) throws(FaultSpecError) {
        try Self.validate(spec)
    }

    public func adjust(_ settings: inout AppBackendSettings) { settings.echoesSubprotocol = false }
}
