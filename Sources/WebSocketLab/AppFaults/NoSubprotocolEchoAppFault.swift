/// `no-subprotocol-echo`: the backend accepts the upgrade but does not echo `jwt-auth`; a conforming client
/// must fail the connection.
public struct NoSubprotocolEchoAppFault: AppFault {
    public static let name = "no-subprotocol-echo"
    public static let parameterNames: Set<String> = []
    public static let summary = "upgrade accepted without echoing the offered subprotocol"

    public init(spec: FaultSpec) throws(FaultSpecError) {
        try spec.rejectUnknownParameters(Self.parameterNames)
    }

    public var echoesSubprotocol: Bool { false }
}
