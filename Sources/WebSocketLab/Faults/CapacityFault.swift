/// `capacity`: answers HTTP 429 to upgrades above `max` concurrent WebSocket connections — Cloud
/// Run out of instances, a front with a connection limit.
public struct CapacityFault: HandshakeFault {
    public static let descriptor = FaultDescriptor(
        name: "capacity", summary: "HTTP 429 above a number of concurrent WebSocket connections",
        parameters: [.init("max", "concurrent WebSocket connections allowed; required")])

    /// Concurrent WebSocket connections allowed.
    public var max: Int

    public init(spec: FaultSpec) throws(FaultSpecError) {
        try Self.validate(spec)
        max = try spec.int("max", in: 0...Int(Int32.max))
    }

    public func request(_ head: inout ProxyRequestHead, context: HandshakeContext) -> HandshakeAction {
        guard context.isUpgrade, context.openWebSockets >= max else { return .forward }
        return .respond(status: 429, body: "Rate exceeded.")
    }
}
