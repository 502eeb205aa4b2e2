/// `message-too-big[:limit=1024]`: inbound messages above `limit` bytes get close 1009 "Message too big".
public struct MessageTooBigAppFault: BackendSettingsAppFault {
    public static let descriptor = FaultDescriptor(
        name: "message-too-big",
        summary: "close 1009 for inbound messages above limit bytes (limit=1024)",
        parameters: [.init("limit", "largest inbound message in bytes; default 1024")])

    /// The limit in bytes.
    public let limit: Int

    public init(spec: FaultSpec) throws(FaultSpecError) {
        try Self.validate(spec)
        limit = try spec.int("limit", default: 1024, in: 1...(1 << 30))
    }

    public func adjust(_ settings: inout AppBackendSettings) { settings.messageLimit = min(settings.messageLimit, limit) }
}
