/// `delay-upgrade`: holds upgrade requests for `for` before they go upstream — a cold start (the
/// client's opening-handshake timeout may fire first). `count` limits it to the first N upgrades.
public struct DelayUpgradeFault: HandshakeFault {
    public static let descriptor = FaultDescriptor(
        name: "delay-upgrade", summary: "hold the upgrade request before forwarding it (cold start)",
        parameters: [.init("for", "how long; required"), .init("count", "only the first N upgrades; default 0 = all")],
        defaultDirection: .upstream)

    /// How long each upgrade is held.
    public var delay: Duration
    /// Only the first `count` upgrades are held; 0 holds all.
    public var count: Int

    public init(spec: FaultSpec) throws(FaultSpecError) {
        try Self.validate(spec)
        delay = try spec.duration("for")
        count = try spec.int("count", default: 0, in: 0...Int(Int32.max))
    }

    public func request(_ head: inout ProxyRequestHead, context: HandshakeContext) -> HandshakeAction {
        guard context.isUpgrade, count == 0 || context.upgradeRequestNumber <= count else { return .forward }
        return .delay(delay)
    }
}
