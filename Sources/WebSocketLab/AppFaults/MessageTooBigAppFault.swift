/// `message-too-big[:limit=1024]`: inbound messages above `limit` bytes get close 1009 "Message too big".
public struct MessageTooBigAppFault: AppFault {
    public static let name = "message-too-big"
    public static let parameterNames: Set<String> = ["limit"]
    public static let summary = "close 1009 for inbound messages above limit bytes (limit=1024)"
    /// The limit in bytes.
    public let limit: Int

    public init(spec: FaultSpec) throws(FaultSpecError) {
        try spec.rejectUnknownParameters(Self.parameterNames)
        limit = try spec.int("limit", default: 1024, in: 1...(1 << 30))
    }

    public var messageLimit: Int? { limit }
}
